-- What changed since the last run: this run's flows, latest prices and headline metrics against the
-- published snapshot this run replaces (read-only, as previous.main.<table>). On the first run there is
-- nothing to compare, and the table says so in one row.
-- Grain: one row per change - a flow added or removed; a field of a flow that changed (its status apart);
-- a price whose latest median moved; a headline metric value that moved (the 10 largest moves per table).
--
-- columns:
--   run_day: the day the run computed the tables for (DATE)
--   compared_with: version of the snapshot compared with (published/manifest.json); NULL on the first run
--   kind: nothing_to_compare (first run), flow_added, flow_removed, flow_changed, status_changed, price_moved or metric_moved
--   table_name: the published table the change is in (deal_flows, chip_prices, round_trips, ...)
--   item: what changed - a flow_id; chip, provider and pricing of a price; the key of a metric row
--   field: the column that changed: a deal_flows column, usd_per_chip_hour (median of the latest day's observations of that chip, provider and pricing) or a metric column; NULL for an added or removed flow
--   old_value: the value in the previous snapshot, as text; NULL when it had none
--   new_value: the value now, as text; NULL when there is none
--   change_pct: (new - old) / old x 100 for numbers; NULL otherwise or when old is 0 or missing
with flow_rows as (
    select
        'previous' as side,
        flow_id,
        to_json(flows) as fields
    from previous.main.deal_flows as flows
    union all
    select
        'current' as side,
        flow_id,
        to_json(flows) as fields
    from deal_flows as flows
),

flow_pairs as (
    select
        flow_id,
        any_value(fields) filter (where side = 'previous') as old_fields,
        any_value(fields) filter (where side = 'current') as new_fields
    from flow_rows
    group by flow_id
),

flow_field_changes as (
    select
        flow_pairs.flow_id,
        keys.field,
        json_extract_string(flow_pairs.old_fields, keys.field) as old_value,
        json_extract_string(flow_pairs.new_fields, keys.field) as new_value
    from flow_pairs,
        unnest(list_distinct(list_concat(json_keys(flow_pairs.old_fields), json_keys(flow_pairs.new_fields))))
            as keys (field)
    where
        flow_pairs.old_fields::varchar <> flow_pairs.new_fields::varchar  -- the row changed (NULL: added or removed)
        -- they follow from status
        and keys.field not in ('status_since', 'status_changed_by')
        and json_extract_string(flow_pairs.old_fields, keys.field)
        is distinct from json_extract_string(flow_pairs.new_fields, keys.field)
),

flow_changes as (
    select
        case when old_fields is null then 'flow_added' else 'flow_removed' end as kind,
        flow_id as item,
        null as field,
        null as old_value,
        null as new_value
    from flow_pairs
    where old_fields is null or new_fields is null
    union all
    select
        case when field = 'status' then 'status_changed' else 'flow_changed' end as kind,
        flow_id as item,
        field,
        old_value,
        new_value
    from flow_field_changes
),

price_rows as (
    select
        'previous' as side,
        chip,
        provider,
        pricing,
        observed_on,
        usd_per_chip_hour
    from previous.main.chip_prices
    union all
    select
        'current' as side,
        chip,
        provider,
        pricing,
        observed_on,
        usd_per_chip_hour
    from chip_prices
),

latest_prices as (
    select
        side,
        chip,
        provider,
        pricing,
        median(usd_per_chip_hour) as usd_per_chip_hour
    from (
        select
            *,
            max(observed_on) over (partition by side, chip, provider, pricing) as latest_day
        from price_rows
    ) as dated
    where observed_on = latest_day
    group by all
),

price_changes as (
    select
        chip || ' ' || provider || ' ' || pricing as item,
        any_value(usd_per_chip_hour) filter (where side = 'previous') as old_number,
        any_value(usd_per_chip_hour) filter (where side = 'current') as new_number
    from latest_prices
    group by all
    having old_number is distinct from new_number and old_number is not null and new_number is not null
),

metric_rows as (
    select
        side,
        'round_trips' as table_name,
        concat_ws(' ', scenario, investor, '->', investee) as item,
        'circular_usd' as field,
        circular_usd as number
    from (
        select
            'previous' as side,
            *
        from previous.main.round_trips
        union all by name
        select
            'current' as side,
            *
        from round_trips
    ) as both_sides
    union all
    select
        side,
        'recycled_revenue' as table_name,
        concat_ws(' ', scenario, vendor) as item,
        'recycled_share' as field,
        recycled_share as number
    from (
        select
            'previous' as side,
            *
        from previous.main.recycled_revenue
        union all by name
        select
            'current' as side,
            *
        from recycled_revenue
    ) as both_sides
    union all
    select
        side,
        'company_exposure' as table_name,
        concat_ws(' ', scenario, company_id) as item,
        'inflow_usd' as field,
        inflow_usd as number
    from (
        select
            'previous' as side,
            *
        from previous.main.company_exposure
        union all by name
        select
            'current' as side,
            *
        from company_exposure
    ) as both_sides
    union all
    select
        side,
        'market_concentration' as table_name,
        scenario as item,
        'hhi' as field,
        hhi as number
    from (
        select
            'previous' as side,
            *
        from previous.main.market_concentration
        union all by name
        select
            'current' as side,
            *
        from market_concentration
    ) as both_sides
),

metric_changes as (
    select
        table_name,
        item,
        field,
        any_value(number) filter (where side = 'previous') as old_number,
        any_value(number) filter (where side = 'current') as new_number
    from metric_rows
    group by table_name, item, field
    having old_number is distinct from new_number
    qualify
        row_number() over (
            partition by table_name order by abs(coalesce(new_number, 0) - coalesce(old_number, 0)) desc, item
        ) <= 10
),

every_change as (
    select
        kind,
        'deal_flows' as table_name,
        item,
        field,
        old_value,
        new_value,
        null::double as change_pct
    from flow_changes
    union all
    select
        'price_moved' as kind,
        'chip_prices' as table_name,
        item,
        'usd_per_chip_hour' as field,
        old_number::varchar as old_value,
        new_number::varchar as new_value,
        (new_number - old_number) / nullif(old_number, 0) * 100 as change_pct
    from price_changes
    union all
    select
        'metric_moved' as kind,
        table_name,
        item,
        field,
        old_number::varchar as old_value,
        new_number::varchar as new_value,
        (new_number - old_number) / nullif(old_number, 0) * 100 as change_pct
    from metric_changes
)

select
    getvariable('run_day') as run_day,
    getvariable('compared_with') as compared_with,
    kind,
    table_name,
    item,
    field,
    old_value,
    new_value,
    change_pct
from every_change
where getvariable('compared_with') is not null
union all
select
    getvariable('run_day') as run_day,
    null as compared_with,
    'nothing_to_compare' as kind,
    null as table_name,
    null as item,
    null as field,
    null as old_value,
    null as new_value,
    null as change_pct
where getvariable('compared_with') is null
order by kind, table_name, item, field
