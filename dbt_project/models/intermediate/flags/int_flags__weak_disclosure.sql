-- weak_disclosure (SPEC 5.3): a sponsored post whose only disclosure is weak (#sp, #spon,
-- #collab, #partner, #ambassador), or whose clear disclosure appears only after the first
-- `disclosure_visible_chars` (125) characters of title + caption (int_post_disclosures:
-- status `weak_disclosure`). threshold = the visible characters; severity medium.

-- (macros/flags/disclosure_flag.sql)
{{ disclosure_flag(
    'weak_disclosure',
    'weak_disclosure',
    severity="'medium'",
    threshold=var('disclosure_visible_chars'),
    evidence=[
        ('contract_id', 'ties.contract_id'),
        ('campaign_id', 'ties.campaign_id'),
        ('weak_tokens', 'disclosures.weak_tokens'),
        ('late_clear_tokens', 'disclosures.clear_tokens'),
        ('clear_disclosure_late', 'disclosures.is_clear_disclosure_late'),
    ]
) }}
