"""pandera schemas: the contracts between the pipeline's stages."""

from schemas.application import ApplicationSchema

__all__ = ["ApplicationSchema"]
