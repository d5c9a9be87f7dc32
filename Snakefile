# servicestat: reproducible statistics from published reports on Swedish agencies.
# Data flows one way: data/raw -> data/processed -> reports. See README.md and
# docs/architecture.md. Heavy libraries are imported inside the rules' run blocks only.

import atexit
import gc
import time

from snakemake.utils import min_version

from analysis.channels import FIGURE_COST as CHANNELS_FIGURE_COST
from analysis.channels import FIGURES as CHANNELS_FIGURES
from analysis.channels import TABLES as CHANNELS_TABLES
from analysis.claims import TABLES as CLAIMS_TABLES
from analysis.core.config import load_config, read_settings, write_settings
from analysis.core.errors import InputError
from analysis.core.summary import claim_run, failure_summary, remove_orphans, remove_unfinished, success_note
from analysis.meetings import FIGURE_COST as MEETINGS_FIGURE_COST
from analysis.meetings import FIGURES as MEETINGS_FIGURES
from analysis.survey import TABLES as SURVEY_TABLES

min_version("9.0")

# At exit the interpreter collects garbage over every object the build made (Snakemake's
# DAG, the scientific stack): 0.6 to 0.9 s here, a third of a no-op run. The objects are
# frozen (left out of that collection) instead; nothing is left to finalise by then.
atexit.register(gc.freeze)

STARTED = time.time()
# A run killed with kill -9 leaves Snakemake's lock behind: removed here when no other
# run of this project is alive (see analysis.core.summary), so a rerun needs no --unlock.
if claim_run(".snakemake"):
    print("servicestat: removed the lock left by an interrupted run (no other run is active).", file=sys.stderr)


# config.yaml is read as plain data and validated as a whole before any job runs; an
# error names config.yaml:line:column. Values given with --config are applied on top.
try:
    config.update(
        load_config(
            "config.yaml",
            "schemas/config.schema.yaml",
            overrides=dict(config),
            raw_dir="data/raw",
            stamp="build/config.validated",
        )
    )
except InputError as exc:
    sys.exit(f"error: {exc}")


include: "rules/common.smk"
include: "rules/ingest.smk"
include: "rules/survey.smk"
include: "rules/meetings.smk"
include: "rules/channels.smk"
include: "rules/claims.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        rules.catalog.output,
        rules.report_html.output,


# What a run leaves: after a failure, every output this run should have rebuilt but did
# not is removed (it would show results of changed or failed inputs); after any run, files
# under data/processed/ and reports/ that no rule produces any more are removed.
OUTPUTS = [str(f) for r in workflow.rules for f in r.output if "{" not in f]


onsuccess:
    if note := success_note(remove_orphans(OUTPUTS)):
        print(note, file=sys.stderr)
    # the worker pool (imported here only: a no-op run never needs it) is stopped, and the
    # process exits without waiting for Snakemake's idle scheduler timers
    from analysis.core.pool import finish

    finish()


onerror:
    removed = remove_unfinished(workflow.dag.needrun_jobs(), logs_before=STARTED)
    removed += remove_orphans(OUTPUTS)
    print(failure_summary(LOGS, OUTPUTS, removed, since=STARTED), file=sys.stderr)
    from analysis.core.pool import finish

    finish()
