-- scenario_flows_as_of(d): the flows each scenario counted on day d, so every metric applies the same
-- rules on any day. headline: every flow except those that were superseded, cancelled, lapsed, walked
-- back or unverified that day; firm: headline flows with firm terms that a party had announced or
-- that had closed (not letters of intent, not press reports alone). scenario_flows is
-- scenario_flows_as_of(the run's day). Rows come in no set order.
create or replace macro scenario_flows_as_of(d) as table
    with scenarios as (
        select * from (values ('headline'), ('firm')) as s (scenario)
    )

    select
        scenarios.scenario,
        flows.*
    from flows_as_of(d) as flows
    cross join scenarios
    where
        flows.status not in ('superseded', 'cancelled', 'lapsed', 'walked_back', 'unverified')
        and (scenarios.scenario = 'headline' or (flows.is_firm and flows.status in ('announced', 'closed')))
