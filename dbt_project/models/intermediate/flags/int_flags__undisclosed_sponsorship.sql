-- undisclosed_sponsorship (SPEC 5.3): a post tied to a contract (int_post_campaign_ties:
-- tracking hashtag, brand handle or promo code in the text, published inside the campaign, by
-- the contract's creator) that carries no disclosure token at all (int_post_disclosures:
-- status `undisclosed`). Always high severity: an FTC requirement.

-- (macros/flags/disclosure_flag.sql)
{{ disclosure_flag(
    'undisclosed_sponsorship',
    'undisclosed',
    severity="'high'",
    threshold='null',
    evidence=[
        ('contract_id', 'ties.contract_id'),
        ('campaign_id', 'ties.campaign_id'),
        ('has_tracking_hashtag', 'ties.has_tracking_hashtag'),
        ('has_brand_handle', 'ties.has_brand_handle'),
        ('has_promo_code', 'ties.has_promo_code'),
    ]
) }}
