"""What changed since the last run: the job run twice on a copy of the small fixture, with one flow's amount
changed, one flow added and one price moved in between; `changes`, the report's first section and the end of
`make run` (pipelines.summary) all say so. The first run says there is nothing to compare."""

import shutil

from conftest import SMALL, Pipeline

from pipelines import summary


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))


def test_a_second_run_lists_what_changed_since_the_first(tmp_path, monkeypatch, capsys):
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    pipeline = Pipeline(tmp_path / "warehouse", data_dir=data, price_sources=[])
    assert pipeline.run().success
    assert pipeline.query("select kind, compared_with from changes") == [("nothing_to_compare", None)]
    report = pipeline.settings.published_dir / "report.html"
    assert "First run: there is no earlier snapshot to compare with." in report.read_text()
    first = (pipeline.settings.published_dir / "current").resolve().name

    # f1: $10B -> $12B; f11 added (The Fund -> Neo Compute, $2B); the H100 instance on AWS $98.32 -> $90.00 an hour
    edit(
        data / "deals.csv",
        "f1,d1,2024-01-10,Big Cloud,Alpha Labs,equity_investment,10000000000,",
        "f1,d1,2024-01-10,Big Cloud,Alpha Labs,equity_investment,12000000000,",
    )
    with (data / "deals.csv").open("a") as f:
        f.write(
            "f11,d9,2025-01-15,fund,neo,equity_investment,2000000000,total,,true,announced,,,,https://example.org/f11,"
            "The Fund invests $2B in Neo.,,,https://example.org/f11,company,,2025-06-01,added\n"
        )
    edit(data / "chip_prices.csv", "p5.48xlarge,H100,8,on_demand,98.32,", "p5.48xlarge,H100,8,on_demand,90.00,")
    assert pipeline.run().success

    rows = pipeline.query(
        "select kind, item, field, old_value, new_value, round(change_pct, 2) from changes "
        "where kind <> 'metric_moved' order by kind, item, field"
    )
    assert rows == [
        ("flow_added", "f11", None, None, None, None),
        ("flow_changed", "f1", "amount_usd", "10000000000.0", "12000000000.0", None),
        ("flow_changed", "f1", "stated_amount_usd", "10000000000.0", "12000000000.0", None),
        # 98.32 / 8 chips = 12.29 a chip-hour, 90.00 / 8 = 11.25: -8.46%
        ("price_moved", "H100 aws on_demand", "usd_per_chip_hour", "12.29", "11.25", -8.46),
    ]
    assert pipeline.query("select distinct compared_with from changes") == [(first,)]
    # The Fund's exposure: out 7B + 1B before, 2B more now; Big Cloud's inflow is unchanged
    assert ("company_exposure", "headline neo", "inflow_usd", "13000000000.0", "15000000000.0") in pipeline.query(
        "select table_name, item, field, old_value, new_value from changes where kind = 'metric_moved'"
    )

    page = report.read_text()
    section = page[page.index('<h2 id="changes">') : page.index('<h2 id="network-section">')]
    for line in [
        f"Compared with version {first}:",
        "flow added: f11",
        "f1: amount_usd $10.0B → $12.0B",
        "chip_prices H100 aws on_demand: usd_per_chip_hour $12.29 → $11.25 (-8.5%)",
    ]:
        assert line in section, line

    # make run ends with the same lines
    monkeypatch.setenv("AIINFRA_WAREHOUSE_DIR", str(pipeline.warehouse_dir))
    assert summary.main([]) == 0
    printed = capsys.readouterr().out
    assert "Since the last run:\n  Compared with version " + first in printed
    assert "  flow added: f11\n" in printed
