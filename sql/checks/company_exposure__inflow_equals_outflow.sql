-- Every flow leaves one company and enters another, so over all companies of a scenario total inflow
-- equals total outflow, and net_usd is inflow minus outflow. Returns the scenarios that break this.
select
    scenario,
    sum(inflow_usd) as inflow_usd,
    sum(outflow_usd) as outflow_usd
from company_exposure
group by scenario
having
    sum(inflow_usd) <> sum(outflow_usd)
    or count(*) filter (where net_usd <> inflow_usd - outflow_usd) > 0
