"""`tadrib demo`: seed the demo programme (the Rabat ToT and its cascade) idempotently."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

import msgspec

from forms.loaders import load_path
from forms.model import QuestionSet
from server.auth.passwords import hash_password
from server.db import forms as forms_db
from server.db import institutions as inst_db
from server.db import trainings as trainings_db
from server.db import users as users_db
from server.db.database import Database
from server.db.submissions import SqliteIngestStore
from server.demo.simulate import simulate
from server.phases import completed
from server.schemas import FormRef, TrainingIn
from sync.ingest import Ingest

LIBRARY = Path(__file__).resolve().parents[2] / "forms" / "library"
ACTOR = "demo"

INSTITUTIONS: dict[str, dict[str, str]] = {
    "prosecution": {
        "en": "Public Prosecutor's Office",
        "fr": "Ministère public",
        "ar": "النيابة العامة",
    },
    "judiciary": {"en": "Magistrates (judiciary)", "fr": "Magistrats du siège", "ar": "القضاة"},
    "police": {
        "en": "National security police",
        "fr": "Sûreté nationale",
        "ar": "المديرية العامة للأمن الوطني",
    },
    "gendarmerie": {"en": "Royal Gendarmerie", "fr": "Gendarmerie royale", "ar": "الدرك الملكي"},
    "social-work": {
        "en": "Social workers",
        "fr": "Travailleurs sociaux",
        "ar": "المساعدون الاجتماعيون",
    },
}

TOT = TrainingIn(
    id="rabat-tot-2019",
    title={
        "en": "Multidisciplinary training of trainers on TIP and SOM",
        "fr": "Formation multidisciplinaire de formateurs sur la TEH et le TIM",
        "ar": "تكوين متعدد التخصصات للمكونين حول الاتجار بالبشر وتهريب المهاجرين",
    },
    country="MA",
    location="Rabat",
    starts_on="2019-01-07",
    ends_on="2019-01-11",
    institutions=list(INSTITUTIONS),
    pre_test=FormRef("tip-som-knowledge", "2019.1"),
    post_test=FormRef("tip-som-knowledge", "2019.1"),
    evaluation=FormRef("tot-evaluation", "2019.1"),
    followup_test=FormRef("tip-som-knowledge", "2019.1"),
    trainers=["amina", "youssef"],
    show_score=True,
)

CASCADE = TrainingIn(
    id="tanger-cascade-2019",
    title={
        "en": "Cascade training on TIP and SOM for first responders",
        "fr": "Formation en cascade sur la TEH et le TIM pour les primo-intervenants",
        "ar": "تكوين متتالي حول الاتجار بالبشر وتهريب المهاجرين لفائدة المتدخلين الأوائل",
    },
    country="MA",
    location="Tanger",
    starts_on="2019-03-11",
    ends_on="2019-03-15",
    institutions=["police", "gendarmerie", "social-work"],
    pre_test=FormRef("tip-som-knowledge", "2019.1"),
    post_test=FormRef("tip-som-knowledge", "2019.1"),
    evaluation=FormRef("tot-evaluation", "2019.1"),
    parent="rabat-tot-2019",
    trainers=["amina", "youssef"],
    show_score=True,
)


class DemoInfo(msgspec.Struct):
    admin_username: str
    admin_password: str
    join_codes: dict[str, str]


def _credentials_file(db: Database) -> Path:
    return db.path.parent / "demo-admin.txt"


async def _admin(db: Database) -> tuple[str, str]:
    """The demo admin; its password is made once and kept beside the database file."""
    path = _credentials_file(db)
    if path.exists() and await users_db.get(db, "admin") is not None:
        return "admin", path.read_text().strip()
    password = secrets.token_urlsafe(12)
    await users_db.upsert(db, "admin", "admin", hash_password(password), ACTOR)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return "admin", password


async def _training(db: Database, data: TrainingIn) -> str:
    found = await trainings_db.get(db, data.id)
    if found is None:
        found = await trainings_db.create(db, completed(data, None), ACTOR, simulated=True)
    return found.join_code


async def _simulate(
    db: Database, data: TrainingIn, join_code: str, test: QuestionSet, ev: QuestionSet, n: int,
    seed: int,
) -> None:  # fmt: skip
    start = datetime.fromisoformat(data.starts_on).replace(hour=8, tzinfo=UTC)
    followup = test if data.followup_test is not None else None
    subs = simulate(join_code, data.institutions, test, test, ev, n, start, seed, followup)
    raws = [msgspec.Raw(msgspec.json.encode(s)) for s in subs]
    for first in range(0, len(raws), 100):
        results = await Ingest(SqliteIngestStore(db)).run(
            raws[first : first + 100], f"demo-{data.id}", 0, source="demo"
        )
        refused = [r for r in results if r.status in {"rejected", "conflict"}]
        if refused:
            raise RuntimeError(f"demo data refused: {refused[0].id}: {refused[0].detail}")


async def seed_demo(db: Database) -> DemoInfo:
    """Publish the library, add institutions, users, the two trainings and simulated answers."""
    test = load_path(LIBRARY / "tip-som-knowledge.yaml")
    ev = load_path(LIBRARY / "tot-evaluation.yaml")
    for qs in (test, ev):
        await forms_db.publish(db, qs, ACTOR)
    for key, name in INSTITUTIONS.items():
        if key not in await inst_db.existing_keys(db, [key]):
            await inst_db.upsert(db, key, name, "MA", ACTOR)
    admin, password = await _admin(db)
    for trainer in ("amina", "youssef"):
        if await users_db.get(db, trainer) is None:
            await users_db.upsert(db, trainer, "trainer", None, ACTOR)
    codes = {}
    for data, n, seed in ((TOT, 45, 2019), (CASCADE, 32, 2020)):
        codes[data.id] = await _training(db, data)
        await _simulate(db, data, codes[data.id], test, ev, n, seed)
    return DemoInfo(admin, password, codes)
