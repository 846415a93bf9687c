-- What happened to each flow after it was announced, from published material: a report confirmed by
-- a party, a letter of intent made definitive, a deal closed, a tranche paid, terms amended, a deal
-- that lapsed, was walked back or cancelled. Each event is cited.
-- Grain: one row per (flow_id, event_on, event).
-- status_after is the status the event gives the flow (deal_status_history applies it); amended and
-- tranche_paid leave the status as it was.
--
-- columns:
--   flow_id: the flow the event concerns (deal_flows.flow_id)
--   event_on: day of the event (DATE); the first day of the month or year when only that is known
--   date_precision: day, month or year - how precisely event_on is known
--   event: announced, definitive, closed, tranche_paid, amended, lapsed, walked_back or cancelled
--   status_after: status the event gives the flow (announced, closed, lapsed, walked_back, cancelled); NULL when it leaves the status as it was
--   source_url: URL of the page that reports the event
--   quote: the sentence that states it
select
    flow_id,
    event_on::date as event_on,
    date_precision,
    event,
    case event
        when 'announced' then 'announced'
        when 'definitive' then 'announced'
        when 'closed' then 'closed'
        when 'lapsed' then 'lapsed'
        when 'walked_back' then 'walked_back'
        when 'cancelled' then 'cancelled'
    end as status_after,
    source_url,
    quote
from clean_deal_events
order by flow_id, event_on, event
