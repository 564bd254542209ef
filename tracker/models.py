"""Every model, imported in one place so Alembic and the shell see the whole schema."""
from tracker.audit.models import AuditEvent
from tracker.auth.models import LoginFailure, User
from tracker.catalog.models import JobType, ModuleRequirement, RotationRequirement, TargetRole, TrainingModule
from tracker.feeds.models import CalendarToken
from tracker.imports.models import ImportJob
from tracker.mail.models import OutboundMail
from tracker.planning.models import PlanRun
from tracker.readiness.models import ReadinessFlag
from tracker.scheduler.models import JobRun
from tracker.trainees.models import Credit, Leave, ModuleResult, Rotation, Trainee, TraineeTargetRole

__all__ = [
    "AuditEvent",
    "CalendarToken",
    "Credit",
    "ImportJob",
    "JobRun",
    "JobType",
    "Leave",
    "LoginFailure",
    "ModuleRequirement",
    "ModuleResult",
    "OutboundMail",
    "PlanRun",
    "ReadinessFlag",
    "Rotation",
    "RotationRequirement",
    "TargetRole",
    "Trainee",
    "TraineeTargetRole",
    "TrainingModule",
    "User",
]
