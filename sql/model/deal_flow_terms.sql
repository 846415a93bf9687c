-- Every validated deal flow as curated: a directed transfer of value from_company -> to_company, cited,
-- without its status on any particular day (deal_status_history has that; deal_flows and
-- flows_as_of(d) put the two together).
-- Grain: one row per flow_id; flows of one announcement share deal_id.
-- amount_usd is the total nominal USD over the term: a figure stated per year is multiplied by
-- term_years (stated_amount_usd keeps it as the source gave it). NULL means undisclosed, never guessed.
-- flow_class groups flow types: capital (money or backing into a company) and spend_back (money
-- committed to a provider's cloud, chips, data centres or power); everything else is other.
-- buys_compute marks the spend that buys accelerator time or chips (cloud commitments and chip
-- purchases): a data-centre lease or a power purchase is money back, but not compute at a chip price.
--
-- columns:
--   flow_id: unique id of the flow
--   deal_id: id of the announcement the flow belongs to, shared by its flows
--   announced_on: announcement date (DATE); the first day of the month or year when only that is known
--   date_precision: day, month or year - how precisely announced_on is known
--   from_company: company_id the value flows from (investor, customer, buyer, tenant, warrant issuer, backstopper, lender)
--   to_company: company_id the value flows to (investee, provider, vendor, landlord, power seller, warrant holder, borrower)
--   flow_type: equity_investment, warrant, loan_or_credit, capacity_backstop, cloud_commitment, chip_purchase, datacenter_lease, power_purchase or other
--   flow_class: capital, spend_back or other, grouped from flow_type
--   buys_compute: true for cloud commitments and chip purchases, the spend provider_concentration and compute_equivalents measure
--   amount_usd: total nominal USD over the term as stated (a per-year figure times term_years); NULL = undisclosed
--   amount_low_usd: lower bound the source states ("more than", "at least", a range), same basis as amount_usd; NULL when none
--   amount_high_usd: upper bound the source states ("up to", a range), same basis as amount_usd; NULL when none
--   stated_amount_usd: the amount as the source states it (total or per year), USD; NULL = undisclosed
--   amount_basis: total or per_year - how the source states the amount
--   is_firm: whether the terms are firm: false for "up to" options, contingent tranches, letters of intent and term sheets
--   announced_status: status when the flow was first made public - announced (by a party), reported (press only), loi or unverified (fails the verification rule)
--   superseded_by: flow_id of a later flow that restates the same money; from its announcement on, this flow is superseded
--   term_years: contract term, years; NULL when none is stated
--   compute_gw: capacity named in the deal, GW; NULL when none is stated
--   chip_family: chip named in the deal (the canonical name when it has a spec row); NULL when none is named
--   source_url: URL of the page where the figure is stated
--   source_quote: the sentence that states the figure
--   primary_source_url: the company release or regulatory filing behind the flow; NULL only where none exists (note says why)
--   source_tier: tier of the best source - filing, company, major_outlet or other
--   corroborating_urls: further independent sources for the figure (list of URLs)
--   last_verified_on: day the row was last checked against its sources (DATE)
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
    flow_type in ('cloud_commitment', 'chip_purchase') as buys_compute,
    (case amount_basis when 'per_year' then amount_usd * term_years else amount_usd end)::decimal(38, 2) as amount_usd,
    (case amount_basis when 'per_year' then amount_low_usd * term_years else amount_low_usd end)::decimal(38, 2)
        as amount_low_usd,
    (case amount_basis when 'per_year' then amount_high_usd * term_years else amount_high_usd end)::decimal(38, 2)
        as amount_high_usd,
    amount_usd::decimal(38, 2) as stated_amount_usd,
    amount_basis,
    is_firm,
    status as announced_status,
    superseded_by,
    term_years::double as term_years,
    compute_gw::double as compute_gw,
    chip_family,
    source_url,
    source_quote,
    primary_source_url,
    source_tier,
    corroborating_urls::varchar[] as corroborating_urls,
    last_verified_on::date as last_verified_on,
    note
from clean_deals
order by flow_id
