"""The detector, the complaint categoriser and the contact gate for platforms' and
regulators' systems: ``POST /detect``, ``POST /categorise`` and ``POST /gate``. Any signed-in
caller may use them; nothing is stored."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Depends

from dunguard.policy import Gate, Pack, load_pack, log_from_records
from dunguard.web.api_common import bearer, errors
from dunguard.web.api_models import (
    CategoriseIn,
    CategoriseOut,
    CategoriseResult,
    CategoryOut,
    DetectIn,
    DetectOut,
    DetectResult,
    GateIn,
    GateOut,
    ReasonOut,
)
from dunguard.web.deps import Ctx, CurrentUser

__all__ = ["router"]

router = APIRouter(tags=["tools"], dependencies=[Depends(bearer)])

#: Invalid log rows listed in a gate answer (the count covers all of them).
MAX_ROW_ERRORS = 20


@lru_cache(maxsize=4)
def _pack(name: str) -> Pack:
    return load_pack(name)


@router.post(
    "/detect",
    response_model=DetectOut,
    responses=errors(400, 401),
    summary="Findings in up to 1,000 texts",
)
def detect(body: DetectIn, user: CurrentUser, ctx: Ctx) -> DetectOut:
    detector = ctx.detector(body.preset)
    lang = None if body.lang == "auto" else body.lang
    found = detector.detect_many(body.texts, lang=lang) if body.texts else []
    return DetectOut(
        results=[
            DetectResult(index=i, findings=[f.to_dict() for f in findings])
            for i, findings in enumerate(found)
        ]
    )


@router.post(
    "/categorise",
    response_model=CategoriseOut,
    responses=errors(400, 401),
    summary="Categories and contact codes that up to 1,000 complaint narratives describe",
)
def categorise(body: CategoriseIn, user: CurrentUser, ctx: Ctx) -> CategoriseOut:
    cat = ctx.categoriser(body.source, body.preset)
    given = None if body.lang == "auto" else body.lang
    langs = cat.languages(body.texts, [given] * len(body.texts))
    found = cat.explain_many(body.texts, langs) if body.texts else []
    results = [
        CategoriseResult(
            index=i,
            lang="en" if lang == "en" else "zh",
            categories=[CategoryOut.model_validate(c.to_dict(lang)) for c in cats],
        )
        for i, (lang, cats) in enumerate(zip(langs, found, strict=True))
    ]
    return CategoriseOut(results=results)


@router.post(
    "/gate",
    response_model=GateOut,
    responses=errors(400, 401),
    summary="May this person be contacted now, given the contact log so far?",
)
def gate(body: GateIn, user: CurrentUser, ctx: Ctx) -> GateOut:
    pack = _pack(body.policy)
    log = log_from_records(
        (e.model_dump() for e in body.events), source="events", default_tz=pack.default_tz
    )
    try:
        checker = Gate.from_log(log, pack, person_id=body.person_id, account_id=body.account_id)
        decision = checker.check(
            body.person_id,
            body.account_id,
            body.channel,
            body.at or ctx.clock(),
            role=body.role,
            tz=body.tz,
        )
        rejected = log.rows_rejected
        row_errors = [e.render("events", "row") for e in log.errors[:MAX_ROW_ERRORS]]
    finally:
        log.con.close()
    return GateOut(
        allowed=decision.allowed,
        at=decision.at,
        reasons=[r.rule for r in decision.reasons],
        details=[
            ReasonOut(rule=r.rule, category=r.category, message=r.message, until=r.until)
            for r in decision.reasons
        ],
        next_allowed_at=decision.next_allowed_at,
        rows_rejected=rejected,
        errors=row_errors,
    )
