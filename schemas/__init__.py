"""pandera schemas: the contracts between the pipeline's stages."""

from schemas.application import ApplicationSchema
from schemas.selection import (
    EligibleSchema,
    IneligibleSchema,
    LedgerSchema,
    RankedSchema,
    ReceivedSchema,
    ScoredSchema,
)

__all__ = ["ApplicationSchema", "EligibleSchema", "IneligibleSchema", "LedgerSchema",
           "RankedSchema", "ReceivedSchema", "ScoredSchema"]
