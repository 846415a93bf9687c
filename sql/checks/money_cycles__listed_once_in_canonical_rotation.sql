-- Every cycle is a simple loop of 2 to 5 distinct companies, written from its smallest id, and listed
-- once per scenario. Returns the rows that break this.
select *
from money_cycles
where
    hops <> len(cycle)
    or hops not between 2 and 5
    or len(list_distinct(cycle)) <> len(cycle)
    or cycle[1] <> list_min(cycle)
    or (scenario, cycle) in (
        select (listed.scenario, listed.cycle) from money_cycles as listed
        group by all
        having count(*) > 1
    )
