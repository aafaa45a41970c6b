"""Each team's lake upkeep as a platform job and schedule: ``<team>_lake_upkeep``, daily,
visible in the UI, running ``warehouse.upkeep`` on the team's production lake and saying
what it removed. Sandboxes are not kept this way: ``tailor sandbox drop`` removes them."""

from dagster import (
    Config,
    DefaultScheduleStatus,
    JobDefinition,
    MetadataValue,
    Nothing,
    OpExecutionContext,
    Out,
    Output,
    RunConfig,
    ScheduleDefinition,
    job,
    op,
)

from platform_lib.warehouse.upkeep import LakeUpkeep, upkeep_team_lake


class UpkeepConfig(Config):
    """A run's rules (the team's ``LakeUpkeep``, changeable in the Launchpad)."""

    retention_days: float
    keep_versions: int
    grace_hours: float


def lake_upkeep(team: str, upkeep: LakeUpkeep) -> tuple[JobDefinition, ScheduleDefinition]:
    """The team's upkeep job and its daily schedule, on from the start."""

    @op(name=f"{team}_lake_upkeep", out=Out(Nothing), tags={"team": team})
    def keep_lake(context: OpExecutionContext, config: UpkeepConfig):
        rules = LakeUpkeep(config.retention_days, config.keep_versions, config.grace_hours)
        report = upkeep_team_lake(team, rules)
        context.log.info(f"{team}'s lake: {report.describe()}")
        if report.skipped:
            return Output(None, metadata={"skipped": report.skipped})
        return Output(
            None,
            metadata={
                "expired_versions": MetadataValue.json(report.expired),
                "pinned_versions_kept": MetadataValue.json(report.kept_pinned),
                "files_removed": len(report.files_removed),
                "bytes_removed": report.bytes_removed,
                "files_merged": report.files_merged,
                "removed": MetadataValue.json(report.files_removed),
            },
        )

    @job(
        name=f"{team}_lake_upkeep_job",
        tags={"team": team},
        description=f"Expires {team}'s table versions older than {upkeep.retention_days:g} "
        f"days (each table's latest {upkeep.keep_versions} and pinned ones kept), removes "
        "the files no version needs and merges small files.",
        config=RunConfig(
            ops={
                keep_lake.name: UpkeepConfig(
                    retention_days=upkeep.retention_days,
                    keep_versions=upkeep.keep_versions,
                    grace_hours=upkeep.grace_hours,
                )
            }
        ),
    )
    def upkeep_job():
        keep_lake()

    schedule = ScheduleDefinition(
        name=f"{team}_lake_upkeep",
        job=upkeep_job,
        cron_schedule=upkeep.cron,
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
        description=f"{team}: the lake's upkeep at {upkeep.cron} (UTC)",
    )
    return upkeep_job, schedule
