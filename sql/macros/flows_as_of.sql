-- flows_as_of(d): the deal flows as they stood on day d - each with its status that day, and the flows
-- announced after d left out. deal_flows is flows_as_of(the run's day); ask for any other day with
-- `select * from flows_as_of(date '2025-12-31')`. Rows come in no set order (a metric calling it for
-- many days would sort every call); order them in the query that reads them.
create or replace macro flows_as_of(d) as table
    select
        terms.*,
        history.status,
        history.valid_from as status_since,
        history.changed_by as status_changed_by
    from deal_flow_terms as terms
    inner join deal_status_history as history
        on
            history.flow_id = terms.flow_id
            and history.valid_from <= d::date
            and (history.valid_to is null or d::date < history.valid_to)
