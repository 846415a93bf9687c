-- Per buyer, provider shares are in [0, 1] and sum to 1, hhi is their sum of squares x 10,000 (so in
-- [0, 10,000]), top_share is the largest share and big_three_share is in [0, 1]. Returns the rows
-- that break this.
select *
from provider_concentration
where
    list_min([s.share for s in provider_shares]) < 0
    or list_max([s.share for s in provider_shares]) > 1
    or abs(list_sum([s.share for s in provider_shares]) - 1) > 1e-9
    or abs(hhi - list_sum([(100 * s.share) ^ 2 for s in provider_shares])) > 1e-6
    or hhi < 0
    or hhi > 10000 + 1e-6
    or top_share <> list_max([s.share for s in provider_shares])
    or big_three_share < 0
    or big_three_share > 1 + 1e-9
