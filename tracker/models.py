"""Every model, imported in one place so Alembic and the shell see the whole schema."""
from tracker.audit.models import AuditEvent
from tracker.auth.models import LoginFailure, User
from tracker.catalog.models import JobType, ModuleRequirement, RotationRequirement, TargetRole, TrainingModule
from tracker.digest.models import DigestDelivery
from tracker.readiness.models import ReadinessFlag
from tracker.scheduler.models import JobRun
from tracker.trainees.models import ModuleResult, Rotation, Trainee

__all__ = [
    "AuditEvent",
    "DigestDelivery",
    "JobRun",
    "JobType",
    "LoginFailure",
    "ModuleRequirement",
    "ModuleResult",
    "ReadinessFlag",
    "Rotation",
    "RotationRequirement",
    "TargetRole",
    "Trainee",
    "TrainingModule",
    "User",
]
