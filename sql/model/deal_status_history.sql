-- Each flow's status over time: the status it had when first made public, then every change that
-- deal events and supersession bring, as day ranges. The status of a flow on day d is the row whose
-- range holds d; a flow has no row before its announcement.
-- Grain: one row per (flow_id, valid_from). Ranges of one flow do not overlap; valid_to is exclusive.
-- A flow with a superseded_by is superseded from its successor's announcement on. Neither events nor a
-- successor change an unverified flow: verification is about its figure, not about what became of the deal.
--
-- columns:
--   flow_id: the flow whose status the row gives (deal_flows.flow_id)
--   valid_from: first day of the range (DATE)
--   valid_to: first day after the range (DATE, exclusive); NULL while the status still holds
--   status: announced, reported, loi, unverified, closed, lapsed, walked_back, cancelled or superseded
--   changed_by: what set the status - announcement, the event (event: closed, ...) or superseded by <flow_id>
--   source_url: where that is stated (the flow's, the event's or the successor's source)
with flows as (
    select
        flow_id,
        announced_on,
        announced_status,
        superseded_by,
        source_url
    from deal_flow_terms
),

changes as (
    select
        flow_id,
        announced_on as valid_from,
        announced_status as status,
        'announcement' as changed_by,
        source_url,
        0 as same_day_order
    from flows

    union all

    select
        events.flow_id,
        greatest(events.event_on, flows.announced_on),
        events.status_after,
        'event: ' || events.event,
        events.source_url,
        1
    from deal_events as events
    inner join flows on flows.flow_id = events.flow_id
    where events.status_after is not null and flows.announced_status <> 'unverified'

    union all

    select
        flows.flow_id,
        greatest(successor.announced_on, flows.announced_on),
        'superseded',
        'superseded by ' || successor.flow_id,
        successor.source_url,
        2
    from flows
    inner join flows as successor on successor.flow_id = flows.superseded_by
    where flows.announced_status <> 'unverified'
),

ranges as (
    select
        *,
        lead(valid_from) over (partition by flow_id order by valid_from, same_day_order) as valid_to
    from changes
)

select
    flow_id,
    valid_from,
    valid_to,
    status,
    changed_by,
    source_url
from ranges
where valid_to is null or valid_to > valid_from
order by flow_id, valid_from
