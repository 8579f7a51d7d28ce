"""Query codes (查询码): what an applicant types, with the case number, to follow a case without an account.

A code is 8 characters from an alphabet without look-alikes (no I, O, 0, 1): 32**8 = 2**40 codes. Only
a salted scrypt hash is stored; the code is handed out once, when the case starts, or anew (``reissue``)
when the window gives the applicant a receipt or a case started without one. scrypt with a small
cost (4 MiB, some 10-30 ms per hash) makes a leaked table useless to search (2**40 guesses per case)
while a start stays fast; online guessing is bounded by the public endpoints' rate limits.

A code is the applicant's key to the case, its rating (好差评) included: whoever holds it rates as the
applicant. So a new one comes only from those who face the applicant (``require_issuer``): the window
that receives the case, the integrator whose system started it, and admins; never the back office.

Lookups compare in constant time and cost the same whether the case exists or not: a wrong code and
an unknown case number are the same answer.

A lookup that succeeded hands back a proof (``proof_of``: the SHA-256 of the stored hash), which the public
pages keep in their session in place of the code, to show the case again for a while. It opens the case
only through these functions, never the public API (which asks for the code), is unguessable without the
database, and goes stale when a new code replaces the old one.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from . import acceptance
from .case_access import require_case
from .clock import utcnow
from .errors import Conflict, Forbidden, NotFound
from .models import CaseQueryCode, HistoryEvent, ProcessInstance, Task
from .unit_of_work import UnitOfWork
from .users import Actor, check_password

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LENGTH = 8
_N, _R, _P = 2**12, 8, 1
# One answer for every failure, in the applicant's language.
NOT_FOUND_MESSAGE = "未找到该办件，请核对办件编号和查询码"
_DUMMY: list[str] = []
REISSUED = "query_code.issued"  # on the case's history: who handed out a new code (never the code)


def generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def hash_code(code: str) -> str:
    """``scrypt$n$r$p$salt$digest``, the format engine.users checks passwords in."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(normalize(code).encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(("scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)))


def normalize(code: str) -> str:
    """What people type: lower case, spaces and hyphens (``abcd-efgh``) are accepted, and the full-width
    forms a Chinese input method types (``ＡＢＣＤ－ＥＦＧＨ``, read as NFKC)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", code or "").upper() if ch not in " -\t")


def case_number(typed: str) -> str:
    """A case number as typed, trimmed and with the full-width forms a Chinese input method types read as
    NFKC (``ＳＸ－２０２６`` is ``SX-2026``); its case is kept (case numbers are case-sensitive)."""
    return unicodedata.normalize("NFKC", typed or "").strip()


def number_forms(typed: str) -> list[str]:
    """A case number as typed and as ``case_number`` reads it, for a filter to find it stored either way."""
    return sorted({typed.strip(), case_number(typed)} - {""})


def issue(uow: UnitOfWork, row: ProcessInstance) -> str:
    """A new code for a case just saved (its row has an id); returns the code. Helper: caller's transaction."""
    code = generate()
    uow.session.add(CaseQueryCode(instance_id=row.id, code_hash=hash_code(code)))
    return code


def reissue(uow: UnitOfWork, instance_id: int, *, actor: Actor) -> str:
    """A new code for a case, replacing its old one (which stops working); returned once, never stored.
    For the window clerk who writes it on the applicant's receipt, and for cases started by a message.
    Who may: ``require_issuer``.

    Raises:
        Forbidden: not one who may hand the applicant a new code (``require_issuer``).
        NotFound: no such case (or one outside a scoped clerk's departments).
        Conflict: another code was issued for the case at the same moment.
    """
    with uow:
        require_issuer(uow, actor, instance_id)
        code = replace(uow, instance_id, by=actor.name)
        try:
            uow.commit()
        except IntegrityError:  # a first code written for this case at the same moment
            raise Conflict(f"process instance {instance_id} got a new query code meanwhile; try again") from None
        return code


def require_issuer(uow: UnitOfWork, actor: Actor, instance_id: int) -> ProcessInstance:
    """Check that the actor may hand the case's applicant a new code; returns the case. A helper: the caller's
    transaction (``reissue``, and the case page before it offers the form).

    A new code is handed to the applicant where the applicant is: at the window, or by the system the
    applicant applied through. So:

    * admins;
    * the integrator that started the case (another integrator's code would lock out the applicants of the
      system that started it, as engine.instances keeps one integrator off another's cases);
    * the clerks who receive the case (``receiving_tasks``: its acceptance step, engine.acceptance, or
      without one its first user task): a clerk of the step's groups or named on it, or who completed it;
      and the clerk who registered it at the window (started it).

    Back-office clerks (review, decision, certificate...) never face the applicant: a code from them would
    let staff rate the case in the applicant's place, and lock the applicant out.

    After the end, too: an applicant who lost the code still needs the result and the rating. But while
    the case's own rating is open (the case ended or its result was delivered, and it is not rated yet:
    engine.ratings.open_contact), a clerk who completed a step of it may not: that rating judges their
    work (engine.service_cases.handling names them on it), and a code now is a rating now. Another clerk
    of the window, or an admin, hands it over; every code handed out stays in the case's history with who
    did it (``REISSUED``). Once rated, no rating is left to take, and the window's rule is as before. Where
    the item rates each service contact of a running case (its guide's ``rating.per_contact``), the clerk
    who completed the contact open for rating may not either.

    Raises:
        Forbidden: anyone else, saying who may.
        NotFound: no such case (or one outside a scoped clerk's departments).
    """
    from . import ratings, service_cases  # both import this module, through engine.instances for the latter
    from .tasks import may_work  # tasks imports engine.instances, which issues codes through this module

    actor.require("clerk", "integrator", action="issue query codes")
    require_case(uow, actor, instance_id)
    case = uow.session.get(ProcessInstance, instance_id)
    if case is None:
        raise NotFound(f"process instance {instance_id} not found")
    if "admin" in actor.roles or ("integrator" in actor.roles and case.started_by == actor.name):
        return case
    if not actor.has("clerk"):
        raise Forbidden(f"{actor.name} may issue query codes only for the cases it started")
    receiving = receiving_tasks(uow, case)
    if not (case.started_by == actor.name or any(
            may_work(actor, t) or t.completed_by == actor.name for t in receiving)):
        groups = sorted({g for t in receiving for g in t.candidate_groups or []})
        at = f"its receiving step's group{'s' if len(groups) > 1 else ''} {', '.join(groups)}" if groups \
            else "its receiving step"
        raise Forbidden(f"{actor.name} may not issue a query code of process instance {instance_id}: a new code "
                        f"is handed to the applicant at the window that receives the case ({at}), by the "
                        "integrator that started it or by an admin, not by the back office")
    contact = ratings.open_contact(uow, case, service_cases.guide_for(uow, case.definition_key))
    judged: list[str | None] = []
    if contact == ratings.CASE_CONTACT:
        judged = list(service_cases.handling(uow, case.id).clerks)
    elif contact is not None:  # a running case's service contact (the guide's rating.per_contact): its step
        step = uow.session.get(Task, contact)
        judged = [step.completed_by] if step is not None else []
    if actor.name in judged:
        raise Forbidden(f"{actor.name} handled process instance {instance_id}, whose rating (好差评) is open: "
                        "a new code now would rate their own work; another clerk of the window or an admin "
                        "hands it to the applicant")
    return case


def receiving_tasks(uow: UnitOfWork, case: ProcessInstance) -> list[Task]:
    """The task rows of the step that receives the case from the applicant: its acceptance step
    (engine.acceptance.step_tasks, every round of it), or for a diagram without one (or a case not at it yet)
    its first user task. Empty before any user task."""
    found = acceptance.step_tasks(uow, case)
    if found:
        return found
    first = uow.session.scalars(select(Task).where(Task.instance_id == case.id, Task.kind == "user")
                                .order_by(Task.created_at, Task.id).limit(1)).first()
    return [first] if first is not None else []


def replace(uow: UnitOfWork, instance_id: int, *, by: str) -> str:
    """A new code for the case in place of its old one, recorded in its history; returned once. Helper:
    the caller's transaction and rights."""
    code, now = generate(), utcnow()
    stored = uow.session.get(CaseQueryCode, instance_id)
    if stored is None:
        uow.session.add(CaseQueryCode(instance_id=instance_id, code_hash=hash_code(code), created_at=now))
    else:
        stored.code_hash, stored.created_at = hash_code(code), now
    uow.session.add(HistoryEvent(instance_id=instance_id, at=now, actor=by, event=REISSUED, data={}))
    return code


def verify(uow: UnitOfWork, case_no: str, code: str) -> str:
    """Check that the code opens the case (the public lookup form, before it shows the case on its page);
    returns the proof of it, for the page to keep in place of the code.

    Raises NotFound with one message for every failure, as find_case."""
    with uow:
        return proof_of(_match(uow, case_no, code, None)[1])


def find_case(uow: UnitOfWork, case_no: str, code: str | None = None, *, proof: str | None = None
              ) -> ProcessInstance:
    """The case with this case number whose code matches, or (``proof``, not ``code``) whose current code
    the proof was made of (``verify``). Helper: runs in the caller's ``with uow``.

    Every case with the number is checked (business keys are unique per process only), and an unknown
    number costs one check too. Raises NotFound with one message for every failure, a stale proof too.
    """
    return _match(uow, case_no, code, proof)[0]


def proof_of(code_hash: str) -> str:
    """What the public pages keep of a case's code: it changes with the code, and no code can be tried
    against it without the stored hash (its salt)."""
    return hashlib.sha256(code_hash.encode()).hexdigest()


def _match(uow: UnitOfWork, case_no: str, code: str | None, proof: str | None) -> tuple[ProcessInstance, str]:
    """The case found and its stored hash."""
    if code is not None and proof is not None:
        raise TypeError("a case is found by its code or by a proof, not both")
    # The number as typed, or read as NFKC (a case started with a full-width number is still found by it),
    # or in capitals as generated numbers are (20261124B86C...: typed from a receipt in lower case). The code
    # decides among cases of these numbers, as it does among cases of one number.
    typed = case_number(case_no) if case_no else ""
    numbers = {n for n in (case_no.strip() if case_no else "", typed, typed.upper()) if n and len(n) <= 50}
    rows = [] if not numbers else list(uow.session.execute(
        select(ProcessInstance, CaseQueryCode.code_hash)
        .join(CaseQueryCode, CaseQueryCode.instance_id == ProcessInstance.id)
        .where(ProcessInstance.business_key.in_(sorted(numbers)))
        .order_by(ProcessInstance.id)))
    if proof is not None:  # a SHA-256 per row; the proof comes from the pages' signed session, not typed
        matches = [hmac.compare_digest(proof_of(stored).encode(), proof.encode()) for _row, stored in rows]
    else:
        typed = normalize(code or "")
        if not rows:
            check_password(_dummy(), typed)
        matches = [check_password(stored, typed) for _row, stored in rows]
    found = next(((row, stored) for (row, stored), ok in zip(rows, matches) if ok), None)
    if found is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    return found


def _dummy() -> str:
    if not _DUMMY:
        _DUMMY.append(hash_code(generate()))
    return _DUMMY[0]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()
