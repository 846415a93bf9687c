-- Announced deal flows: each a directed transfer of value from_company -> to_company, cited.
-- Grain: one row per flow_id; flows of one announcement share deal_id.
-- amount_usd is the total nominal USD over the term: a figure stated per year is multiplied by
-- term_years (stated_amount_usd keeps it as the source gave it). NULL means undisclosed, never guessed.
-- flow_class groups flow types: capital (money or backing into a company) and spend_back (money
-- committed to a provider's cloud, chips, data centres or power); everything else is other.
--
-- columns:
--   flow_id: unique id of the flow
--   deal_id: id of the announcement the flow belongs to, shared by its flows
--   announced_on: announcement date (DATE); the first day of the month or year when only that is known
--   date_precision: day, month or year - how precisely announced_on is known
--   from_company: company_id the value flows from (investor, customer, buyer, warrant issuer, backstopper)
--   to_company: company_id the value flows to (investee, provider, vendor, warrant holder)
--   flow_type: equity_investment, warrant, loan_or_credit, capacity_backstop, cloud_commitment, ... or other
--   flow_class: capital, spend_back or other, grouped from flow_type
--   amount_usd: total nominal USD over the term (a per-year figure times term_years); NULL = undisclosed
--   stated_amount_usd: the amount as the source states it (total or per year), USD; NULL = undisclosed
--   amount_basis: total or per_year - how the source states the amount
--   is_firm: false for "up to" options, contingent tranches, letters of intent and unconfirmed reports
--   status: announced, reported, loi, closed, cancelled or superseded
--   superseded_by: flow_id of the flow that restates this one; NULL unless status is superseded
--   term_years: contract term, years; NULL when none is stated
--   compute_gw: capacity named in the deal, GW; NULL when none is stated
--   chip_family: chip named in the deal (the canonical name when it has a spec row); NULL when none is named
--   source_url: URL of the page where the figure is stated
--   source_quote: the sentence that states the figure
--   note: amount qualifiers (up to, more than, per year ...) and curation notes
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
