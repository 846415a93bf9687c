-- Announced deal flows: each a directed transfer of value from_company -> to_company, cited.
-- Grain: one row per flow_id; flows of one announcement share deal_id.
-- amount_usd is the total nominal USD over the term: a figure stated per year is multiplied by
-- term_years (stated_amount_usd keeps it as the source gave it). NULL means undisclosed, never guessed.
-- flow_class groups flow types: capital (money or backing into a company) and spend_back (money
-- committed to a provider's cloud, chips, data centres or power); everything else is other.
select
    flow_id,
    deal_id,
    announced_on::date as announced_on,
    date_precision,
    from_company,
    to_company,
    flow_type,
    case
        when flow_type in ('equity_investment', 'warrant', 'loan_or_credit', 'capacity_backstop') then 'capital'
        when flow_type in ('cloud_commitment', 'chip_purchase', 'datacenter_lease', 'power_purchase') then 'spend_back'
        else 'other'
    end as flow_class,
    (case amount_basis when 'per_year' then amount_usd * term_years else amount_usd end)::decimal(38, 2) as amount_usd,
    amount_usd::decimal(38, 2) as stated_amount_usd,
    amount_basis,
    is_firm,
    status,
    superseded_by,
    term_years::double as term_years,
    compute_gw::double as compute_gw,
    chip_family,
    source_url,
    source_quote,
    note
from clean_deals
order by flow_id
