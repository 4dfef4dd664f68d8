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
from server.demo.simulate import simulate
from server.ingest import ingest
from server.phases import completed
from server.schemas import FormRef, Training, TrainingIn

LIBRARY = Path(__file__).resolve().parents[2] / "forms" / "library"
ACTOR = "demo"

#: Every bundled set is published, old versions too, so data collected on them still loads.
LIBRARY_FILES = (
    "tip-som-knowledge.yaml",
    "tot-evaluation.yaml",
    "tip-som-knowledge-2019.2.yaml",
    "tot-evaluation-2019.2.yaml",
    "first-responder-evaluation.yaml",
)
KNOWLEDGE = FormRef("tip-som-knowledge", "2019.2")

INSTITUTIONS: dict[str, dict[str, str]] = {
    "prosecution": {
        "en": "Public Prosecutor's Office",
        "fr": "Ministère public",
        "ar": "النيابة العامة",
    },
    # Prosecutors are magistrates too: this group is the bench.
    "judiciary": {"en": "Judges (bench)", "fr": "Magistrats du siège", "ar": "قضاة الحكم"},
    "police": {
        "en": "General Directorate for National Security (DGSN)",
        "fr": "Direction générale de la sûreté nationale (DGSN)",
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
    pre_test=KNOWLEDGE,
    post_test=KNOWLEDGE,
    evaluation=FormRef("tot-evaluation", "2019.2"),
    followup_test=KNOWLEDGE,
    trainers=["amina", "youssef"],
    show_score=True,
)

CASCADE = TrainingIn(
    id="tanger-cascade-2019",
    title={
        "en": "Cascade training on TIP and SOM for first responders",
        "fr": "Formation en cascade sur la TEH et le TIM pour les primo-intervenants",
        "ar": "تكوين تتابعي حول الاتجار بالبشر وتهريب المهاجرين لفائدة المتدخلين في الخط الأول",
    },
    country="MA",
    location="Tanger",
    starts_on="2019-03-11",
    ends_on="2019-03-15",
    institutions=["police", "gendarmerie", "social-work"],
    pre_test=KNOWLEDGE,
    post_test=KNOWLEDGE,
    evaluation=FormRef("first-responder-evaluation", "2019.1"),
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


async def _training(db: Database, data: TrainingIn) -> Training:
    found = await trainings_db.get(db, data.id)
    if found is None:
        found = await trainings_db.create(db, completed(data, None), ACTOR, simulated=True)
    return found


async def _form(db: Database, ref: FormRef | None) -> QuestionSet | None:
    return None if ref is None else await forms_db.get(db, ref.form, ref.version)


async def _simulate(db: Database, data: TrainingIn, join_code: str, n: int, seed: int) -> None:
    """Simulated answers on the versions the training is assigned (a database seeded before a
    newer library keeps its own), so running the demo again only finds duplicates."""
    pre, post = await _form(db, data.pre_test), await _form(db, data.post_test)
    if pre is None or post is None:
        raise RuntimeError(f"demo training {data.id} has no published pre- and post-test")
    ev = await _form(db, data.evaluation)
    start = datetime.fromisoformat(data.starts_on).replace(hour=8, tzinfo=UTC)
    followup = await _form(db, data.followup_test)
    subs = simulate(join_code, data.institutions, pre, post, ev, n, start, seed, followup)
    raws = [msgspec.Raw(msgspec.json.encode(s)) for s in subs]
    for first in range(0, len(raws), 100):
        results = await ingest(db, raws[first : first + 100], f"demo-{data.id}", 0, source="demo")
        refused = [r for r in results if r.status in {"rejected", "conflict"}]
        if refused:
            raise RuntimeError(f"demo data refused: {refused[0].id}: {refused[0].detail}")


async def seed_demo(db: Database) -> DemoInfo:
    """Publish the library, add institutions, users, the two trainings and simulated answers."""
    for file in LIBRARY_FILES:
        await forms_db.publish(db, load_path(LIBRARY / file), ACTOR)
    for key, name in INSTITUTIONS.items():
        if key not in await inst_db.existing_keys(db, [key]):
            await inst_db.upsert(db, key, name, "MA", ACTOR)
    admin, password = await _admin(db)
    for trainer in ("amina", "youssef"):
        if await users_db.get(db, trainer) is None:
            await users_db.upsert(db, trainer, "trainer", None, ACTOR)
    codes = {}
    for data, n, seed in ((TOT, 45, 2019), (CASCADE, 32, 2020)):
        found = await _training(db, data)
        codes[data.id] = found.join_code
        await _simulate(db, found, found.join_code, n, seed)
    return DemoInfo(admin, password, codes)
