"""case_clocks: a running clock of an item that is not a licence claims no Art 42 extension

行政许可法 Art 42's extension (10 working days) is for licences (item type 01); since the clock rule follows the
item's type, a clock started for another item whose guide sets no extension of its own gets an allowance of 0.
Clocks started before that rule kept none (read as Art 42's): those still running or paused get theirs here,
by the latest guide of their case's process. Stopped clocks are history and stay as they were; an extension
approved already stays (the allowance left is never below nothing). Going down leaves them: 0 is what the
rule reads for them either way.

Revision ID: 0031
Revises: 0030
"""
from __future__ import annotations

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        UPDATE case_clocks SET extension_allowance_days = 0
        WHERE extension_allowance_days IS NULL AND extension_basis IS NULL AND state IN ('running', 'paused')
          AND instance_id IN (
            SELECT p.id FROM process_instances p JOIN guides g ON g.process_key = p.definition_key
            WHERE g.id = (SELECT max(latest.id) FROM guides latest WHERE latest.process_key = g.process_key)
              AND g.item_type <> '01')""")


def downgrade() -> None:
    pass
