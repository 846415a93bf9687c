-- Each scenario states one count on all its rows: cycles_in_scenario (every cycle counted) or
-- cycles_counted_up_to (the search stopped at max_cycles), never both, and no fewer than the cycles
-- it lists. Returns the scenarios that break this.
select
    scenario,
    count(*) as listed,
    min(cycles_in_scenario),
    min(cycles_counted_up_to)
from money_cycles
group by scenario
having
    count(distinct cycles_in_scenario) + count(distinct cycles_counted_up_to) <> 1
    or bool_or((cycles_in_scenario is null) = (cycles_counted_up_to is null))
    or coalesce(min(cycles_in_scenario), min(cycles_counted_up_to)) < count(*)
