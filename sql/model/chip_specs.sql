-- Accelerator specifications under one canonical chip name (H100, TPU-v5p, Trainium2, ...), with
-- the one-off hardware list price where a source gives one.
-- Grain: one row per chip. TFLOPS are dense (no sparsity); list_price_usd is per chip.
select
    chip,
    vendor,
    try_cast(release_date as date) as release_date,
    bf16_dense_tflops::double as bf16_dense_tflops,
    fp8_dense_tflops::double as fp8_dense_tflops,
    hbm_gb::double as hbm_gb,
    mem_bw_tb_s::double as mem_bw_tb_s,
    tdp_w::double as tdp_w,
    list_price_usd::double as list_price_usd,
    list_price_note,
    list_price_source_url,
    source_url,
    source_quote,
    note
from clean_chip_specs
order by chip
