-- What companies report to the SEC: remaining performance obligations (RPO, the contracted revenue not
-- yet recognised: a vendor's backlog), capital expenditure and revenue, as XBRL facts of their 10-K, 10-Q,
-- 20-F or 6-K filings.
-- Grain: one row per (company_id, concept, period_start, period_end). A period is reported again by
-- later filings (a quarter in the next year's 10-Q, a restatement); the latest filing's figure counts
-- (of two tags filed the same day, the concept's preferred one). Periods are the facts' own dates, not
-- the filing's fiscal year and quarter.
--
-- columns:
--   company_id: as in companies
--   concept: rpo (us-gaap RevenueRemainingPerformanceObligation), capex (PaymentsToAcquirePropertyPlantAndEquipment or PaymentsToAcquireProductiveAssets) or revenue (RevenueFromContractWithCustomerExcludingAssessedTax or Revenues)
--   tag: the us-gaap tag the figure is reported under
--   period_start: first day of the period the figure covers (DATE); NULL for a figure at one date (rpo)
--   period_end: last day of the period, or the date of the figure (DATE)
--   value_usd: the figure as reported, USD
--   form: the filing that reported it last (10-K, 10-Q, 20-F, 6-K, or an amendment: 10-K/A, ...)
--   filed_on: the day that filing was filed (DATE)
--   accession: the SEC accession number of that filing
--   restated: true when another filing reported a different figure for the same period under the same tag
--   source_url: the SEC API address that answers with the fact
--   recording: for a bundled recording (filing source snapshot), where the copy was published; NULL when fetched live
with ranked as (
    select
        *,
        row_number() over (
            partition by company_id, concept, period_start, period_end
            order by filed_on desc, tag_rank asc, accession desc
        ) as newest_first,
        count(distinct value_usd) over (
            partition by company_id, concept, tag, period_start, period_end
        ) as values_reported
    from clean_company_facts
)

-- typed here: with no filing source the facts are an empty table whose columns have no type of their own
select
    company_id::varchar as company_id,
    concept::varchar as concept,
    tag::varchar as tag,
    period_start::date as period_start,
    period_end::date as period_end,
    value_usd::double as value_usd,
    form::varchar as form,
    filed_on::date as filed_on,
    accession::varchar as accession,
    values_reported > 1 as restated,
    source_url::varchar as source_url,
    recording::varchar as recording
from ranked
where newest_first = 1
order by company_id, concept, period_end, period_start
