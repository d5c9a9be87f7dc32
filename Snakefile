# servicestat: reproducible statistics from published reports on Swedish agencies.
# Data flows one way: data/raw -> data/processed -> reports. See README.md.

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config.yaml"


validate(config, "schemas/config.schema.yaml")


include: "rules/common.smk"
include: "rules/ingest.smk"
include: "rules/survey.smk"
include: "rules/meetings.smk"
include: "rules/channels.smk"
include: "rules/claims.smk"
include: "rules/report.smk"


rule all:
    input:
        rules.ingest.output,
        rules.report_index.output,
        rules.survey.output,
        rules.meetings.output,
        rules.channels.output,
        rules.claims.output,
        rules.report_html.output,
    default_target: True
