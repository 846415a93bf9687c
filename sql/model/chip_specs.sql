-- Accelerator specifications under one canonical chip name (H100, TPU-v5p, Trainium2, ...), with
-- the one-off hardware list price where a source gives one.
-- Grain: one row per chip. TFLOPS are dense (no sparsity); list_price_usd is per chip.
--
-- columns:
--   chip: canonical chip name (H100, TPU-v5p, Trainium2, ...); unique
--   vendor: who designs the chip (NVIDIA, AMD, Intel, AWS, Google, Microsoft)
--   custom_silicon: true for a chip a cloud designed for its own data centres (Trainium, Inferentia, TPU, Maia)
--   release_date: release date of the chip (DATE); NULL when not given
--   bf16_dense_tflops: dense BF16 throughput (no sparsity), TFLOPS per chip (per GPU for GB200/GB300); NULL = not given
--   fp8_dense_tflops: dense FP8 throughput (no sparsity), TFLOPS per chip; NULL = not given
--   hbm_gb: high-bandwidth memory per chip, GB; NULL = not given
--   mem_bw_tb_s: memory bandwidth per chip, TB/s; NULL = not given
--   tdp_w: thermal design power per chip, W; NULL = not given
--   list_price_usd: one-off hardware list price per chip, USD; NULL when no source gives one
--   list_price_note: the reference unit text of the list price and the date it was observed
--   list_price_source_url: URL the list price comes from
--   source_url: URL of the dataset row the specs were first taken from (Epoch AI's ML Hardware data)
--   spec_source_url: the vendor's datasheet or documentation that confirms the spec values; a value no vendor document confirms is NULL
--   source_quote: the quoted source line that states the specs
--   note: reference notes, the original chip name, how each value was checked against the vendor document
select
    chip,
    vendor,
    custom_silicon,
    try_cast(release_date as date) as release_date,
    bf16_dense_tflops::double as bf16_dense_tflops,
    fp8_dense_tflops::double as fp8_dense_tflops,
    hbm_gb::double as hbm_gb,
    mem_bw_tb_s::double as mem_bw_tb_s,
    tdp_w::double as tdp_w,
    list_price_usd::double as list_price_usd,
    list_price_note,
    list_price_source_url,
    source_url,
    spec_source_url,
    source_quote,
    note
from clean_chip_specs
order by chip
