-- Deal candidates: sentences of companies' SEC filings and newsroom feed items that name another tracked
-- company together with an amount or a capacity, for a person to review. They never enter deal_flows by
-- themselves.
-- Grain: one row per (filing or feed item, sentence) that names a tracked company other than the filer or
-- feed owner and states a dollar amount ($... million, billion or trillion) or a capacity (GW or MW).
-- A company is named by its id, its name or any alias (companies.aliases), whole words, any case. A candidate
-- is matched when a flow quotes the sentence from the same document (as `ai-infra-accept` writes it), or
-- else when a flow between the filer and a company it names, either way and of any date (filings restate
-- old deals), has an amount within 10% of the sentence's amount: the closest one; else it is new.
--
-- columns:
--   candidate_id: the filing's accession (or feed- and a hash of the item's id) and the sentence's position, e.g. 0001045810-26-000024#12
--   source_kind: filing (an SEC filing) or feed (an item of a company's newsroom feed)
--   company_id: the company that filed it, or whose feed it is
--   counterparties: ids of the tracked companies the sentence names other than the filer, sorted
--   published_on: the day the filing was filed, or the item published (DATE)
--   source_url: the filing document's address in the SEC archives, or the item's link
--   quote: the sentence as the document states it
--   amount_usd: the first dollar amount the sentence states, USD; NULL when it states only a capacity
--   compute_gw: the first capacity the sentence states, gigawatts (megawatts / 1000); NULL when none
--   matched_flow_id: the flow the sentence restates (deal_flows.flow_id); NULL when none
--   state: matched (a flow restates it) or new (for review)
with documents as (
    select
        'filing' as source_kind,
        accession as document_key,
        company_id,
        filed_on::date as published_on,
        document_url as source_url,
        json_transform(sentences::varchar, '["VARCHAR"]') as sentences
    from clean_filings
    union all
    select
        'feed' as source_kind,
        'feed-' || left(md5(item_id), 12) as document_key,
        company_id,
        published_on::date as published_on,
        link as source_url,
        json_transform(sentences::varchar, '["VARCHAR"]') as sentences
    from clean_press_releases
),

sentences as (
    select
        * exclude (sentences),
        unnest(sentences) as quote,
        generate_subscripts(sentences, 1) as position
    from documents
),

stated as (
    select
        *,
        regexp_extract(
            quote, '\$\s?([0-9][0-9,]*(\.[0-9]+)?)\s*(trillion|billion|million)', ['number', 'fraction', 'unit'], 'i'
        ) as money,
        regexp_extract(
            quote, '([0-9][0-9,]*(\.[0-9]+)?)\s*(gigawatts?|GW|megawatts?|MW)([^[:alnum:]]|$)',
            ['number', 'fraction', 'unit', 'after'], 'i'
        ) as power
    from sentences
),

valued as (
    select
        * exclude (money, power),
        lower(quote) as lowered_quote,
        nullif(replace(money.number, ',', ''), '')::double
        * case lower(money.unit) when 'trillion' then 1e12 when 'billion' then 1e9 when 'million' then 1e6 end
            as amount_usd,
        nullif(replace(power.number, ',', ''), '')::double
        * case when lower(power.unit) in ('gw', 'gigawatt', 'gigawatts') then 1 else 0.001 end as compute_gw
    from stated
    -- first the sentences with a figure (a 10-K has thousands of sentences): names are looked for in those only
    where amount_usd is not null or compute_gw is not null
),

spellings as (
    select distinct
        company_id,
        trim(spelling) as spelling
    from (
        select
            company_id,
            unnest(list_concat([company_id, name], coalesce(string_split(aliases, ';'), []))) as spelling
        from companies
    ) as every_spelling
    where length(trim(spelling)) >= 3  -- not a two-letter fragment of a word
),

candidates as (
    select
        valued.source_kind,
        valued.document_key,
        valued.company_id,
        valued.published_on,
        valued.source_url,
        valued.quote,
        valued.position,
        valued.amount_usd,
        valued.compute_gw,
        list(distinct spellings.company_id order by spellings.company_id) as counterparties
    from valued
    inner join spellings
        -- the substring test is cheap and rules out most pairs before the whole-word pattern is built
        on
            contains(valued.lowered_quote, lower(spellings.spelling))
            and regexp_matches(
                valued.quote, '(^|[^[:alnum:]])' || regexp_escape(spellings.spelling) || '([^[:alnum:]]|$)', 'i'
            )
    where spellings.company_id <> valued.company_id
    group by all
),

quoted as (
    select
        candidates.document_key,
        candidates.position,
        min(flows.flow_id) as quoting_flow_id
    from candidates
    inner join deal_flows as flows
        on flows.source_url = candidates.source_url and flows.source_quote = candidates.quote
    group by all
),

similar_amounts as (
    select
        candidates.document_key,
        candidates.position,
        arg_min(flows.flow_id, abs(flows.amount_usd - candidates.amount_usd)) as similar_flow_id
    from candidates
    inner join deal_flows as flows
        on (
            (
                flows.from_company = candidates.company_id
                and list_contains(candidates.counterparties, flows.to_company)
            )
            or (
                flows.to_company = candidates.company_id
                and list_contains(candidates.counterparties, flows.from_company)
            )
        )
        and abs(flows.amount_usd - candidates.amount_usd) <= 0.1 * candidates.amount_usd
    group by all
)

select
    candidates.document_key || '#' || candidates.position as candidate_id,
    candidates.source_kind,
    candidates.company_id,
    candidates.counterparties,
    candidates.published_on,
    candidates.source_url,
    candidates.quote,
    candidates.amount_usd,
    candidates.compute_gw,
    coalesce(quoted.quoting_flow_id, similar_amounts.similar_flow_id) as matched_flow_id,
    case when matched_flow_id is null then 'new' else 'matched' end as state
from candidates
left join quoted using (document_key, position)
left join similar_amounts using (document_key, position)
order by candidates.published_on desc, candidate_id
