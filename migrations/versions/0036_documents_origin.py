"""documents: what issued a document (a diagram step, a time limit's extension, a special procedure)

A document came from a ``govflow.document`` element completing, from an extension granted (the notice of
extension, engine.documents.issue_extension_notice) or from a special procedure started by hand (its notice,
engine.documents.issue_special_procedure_notice). Every reader (the case page, the API, the archive's
manifest) reads it from the row instead of guessing from the template's name; existing notices of extension
are the documents without an element.

Revision ID: 0036
Revises: 0035
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("origin", sa.String(20), nullable=False, server_default="step"))
    op.execute("UPDATE documents SET origin = 'extension' WHERE element_id IS NULL")


def downgrade() -> None:
    op.drop_column("documents", "origin")
