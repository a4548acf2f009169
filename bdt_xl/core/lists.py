"""Reference lists: partner types, ITU membership, regions and action-plan priorities.

The lists decide which labels are valid, how loosely typed labels map to the canonical one
("  africa " -> "Africa"), the order in which breakdowns are listed, and which action plan is
in force on a signing date. They come built in (labels as in the TDAG report); the
workbook's ``Lists`` table is merged into them (``lists_table``) and also feeds the drop-downs.

Action plans are dated data: Buenos Aires 2018–2022, Kigali 2023–2025, Baku 2026–2029. The
Baku Action Plan's priorities are not built in: no published ITU source for their labels
could be confirmed when this was written, so they come from the team's ``Lists`` table, and
an agreement signed under a plan without known priorities is an error saying how to add them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date

PARTNER_TYPE = "Partner type"
MEMBERSHIP = "ITU membership"
REGION = "Region"
PRIORITY = "Priority"
KINDS = (PARTNER_TYPE, MEMBERSHIP, REGION, PRIORITY)

NON_MEMBER = "Non-member"

#: Columns of the workbook's ``Lists`` table, in the order the workbook builder writes them.
LISTS_COLUMNS = ("List", "Label", "French label", "Aliases", "Action plan", "Valid from",
                 "Valid to")

def normalize(text: object) -> str:
    """Matching key of a label: trimmed, inner spaces collapsed, case-folded."""
    return " ".join(str(text).split()).casefold()


def tidy(text: object) -> str:
    """Display form of free text: trimmed with inner spaces collapsed (case kept)."""
    return " ".join(str(text).split())


def closest(word: str, possibilities: list[str], cutoff: float = 0.6) -> str | None:
    """``difflib.get_close_matches(word, possibilities, n=1, cutoff)``, or None: the same
    answer (the best ratio, then the greatest text), but the costly ratio is computed only
    for candidates whose upper bound (``quick_ratio``) can still beat the best so far; a
    table with 120 misspelt labels spent 40 ms in difflib."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    bounds = []
    for text in possibilities:
        matcher.set_seq1(text)
        if matcher.real_quick_ratio() >= cutoff:
            bound = matcher.quick_ratio()
            if bound >= cutoff:
                bounds.append((bound, text))
    best: tuple[float, str] | None = None
    for bound, text in sorted(bounds, reverse=True):
        if best is not None and bound < best[0]:
            break  # this one and the rest cannot reach the best ratio
        matcher.set_seq1(text)
        ratio = matcher.ratio()
        if ratio >= cutoff and (best is None or (ratio, text) > best):
            best = (ratio, text)
    return None if best is None else best[1]


@dataclass(frozen=True)
class ActionPlan:
    name: str
    valid_from: date
    valid_to: date | None = None  # inclusive; None = still in force

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class ListItem:
    kind: str
    label: str
    label_fr: str = ""
    aliases: tuple[str, ...] = ()
    plan: str = ""  # priorities only: name of the action plan the priority belongs to


@dataclass(eq=False)  # identity equality: hashable, so validators can be cached per lists
class ReferenceLists:
    items: list[ListItem]
    plans: list[ActionPlan]
    _index: dict[str, dict[str, str]] = field(init=False, repr=False)
    _plan_of: dict[str, str] = field(init=False, repr=False)
    _hints: dict[str, dict[str, str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {kind: {} for kind in KINDS}
        self._plan_of = {}
        self._hints = {kind: {normalize(name): item.label for item in self.items
                              if item.kind == kind for name in (item.label, *item.aliases)}
                       for kind in KINDS}
        for item in self.items:
            keys = self._index[item.kind]
            for text in (item.label, item.label_fr, *item.aliases):
                if text:
                    keys.setdefault(normalize(text), item.label)
            if item.kind == PRIORITY:
                self._plan_of[item.label] = item.plan

    # -- queries -------------------------------------------------------------------------
    def labels(self, kind: str) -> list[str]:
        """Canonical labels of one list, in list order."""
        return [item.label for item in self.items if item.kind == kind]

    def match(self, kind: str, text: object) -> str | None:
        """Canonical label for ``text`` (case and spacing ignored, aliases accepted)."""
        return self._index[kind].get(normalize(text))

    def suggest(self, kind: str, text: object) -> str | None:
        """The closest canonical label to an unknown ``text``, for a "did you mean" hint
        (compared with the English labels and aliases: a quarter of the candidates)."""
        keys = self._hints[kind]
        close = closest(normalize(text), list(keys))
        return None if close is None else keys[close]

    def french_labels(self, kind: str) -> dict[str, str]:
        """French label of each canonical label of one list (the English one where the list
        gives none): what French charts show as categories."""
        return {item.label: item.label_fr or item.label for item in self.items
                if item.kind == kind}

    def priorities_of(self, plan: str) -> list[str]:
        """The priorities of one action plan, in list order (empty if none are known)."""
        return [item.label for item in self.items if item.kind == PRIORITY and item.plan == plan]

    def plan_of(self, priority: str) -> str:
        return self._plan_of.get(priority, "")

    def plan_on(self, day: date) -> ActionPlan | None:
        """The action plan in force on ``day`` (the latest-starting one if plans overlap)."""
        found = [plan for plan in self.plans if plan.covers(day)]
        return max(found, key=lambda plan: plan.valid_from) if found else None


BUENOS_AIRES = ActionPlan("Buenos Aires Action Plan", date(2018, 1, 1), date(2022, 12, 31))
KIGALI = ActionPlan("Kigali Action Plan", date(2023, 1, 1), date(2025, 12, 31))
#: Adopted by WTDC-25 (Baku, 17–28 November 2025) for 2026–2029; priorities from ``Lists``.
BAKU = ActionPlan("Baku Action Plan", date(2026, 1, 1), date(2029, 12, 31))


def _items(kind: str, rows, plan: str = "") -> list[ListItem]:
    return [ListItem(kind, label, fr, tuple(aliases), plan) for label, fr, *aliases in rows]


DEFAULT_ITEMS: list[ListItem] = [
    *_items(PARTNER_TYPE, [
        ("Governmental entities", "Entités gouvernementales", "Government", "Governmental"),
        ("Private sector entities", "Entités du secteur privé", "Private sector", "Private"),
        ("Academic institutions", "Établissements universitaires", "Academia", "Academic"),
        ("UN organizations", "Organisations du système des Nations Unies", "UN",
         "United Nations", "UN organisations"),
        ("International and regional organizations",
         "Organisations et associations internationales et régionales",
         "International organizations", "Regional organizations",
         "International and regional organisations"),
        ("Financial institutions", "Institutions financières", "Financial"),
        ("Foundations", "Fondations", "Foundation"),
        ("Other", "Autre", "Others"),
    ]),
    *_items(MEMBERSHIP, [
        ("ADMIN", "ADMIN", "Administration"),
        ("ADMIN-affiliated", "Rattaché à une ADMIN", "ADMIN affiliated"),
        ("ROA", "ROA", "Recognized operating agency"),
        ("SIO", "SIO", "Scientific or industrial organization"),
        ("REGINTORG", "REGINTORG"),
        ("UNIVERS/RSRCH", "UNIVERS/RSRCH", "Academia member", "UNIVERS", "RSRCH"),
        ("Other ITU entity", "Autre entité de l'UIT"),
        (NON_MEMBER, "Non-membre", "Non member", "None"),
    ]),
    *_items(REGION, [
        ("Africa", "Afrique"),
        ("Americas", "Amériques"),
        ("Arab States", "États arabes", "Arab region"),
        ("Asia-Pacific", "Asie-Pacifique", "Asia and the Pacific", "Asia Pacific"),
        ("CIS", "CEI", "Commonwealth of Independent States"),
        ("Europe", "Europe"),
        ("Multi-regions", "Plusieurs régions", "Multi-regional", "Global", "Multiregional"),
    ]),
    *_items(PRIORITY, [
        ("Capacity development", "Renforcement des capacités", "Capacity building"),
        ("Cybersecurity", "Cybersécurité"),
        ("Digital inclusion", "Inclusion numérique"),
        ("Digital innovation ecosystem", "Écosystème de l'innovation numérique"),
        ("Digital services and applications", "Services et applications numériques",
         "Digital Services & App"),
        ("Emergency telecommunications", "Télécommunications d'urgence", "Emergency Telecom"),
        ("Environment", "Environnement"),
        ("Network and digital infrastructure", "Réseau et infrastructure numérique",
         "Network & Digital Infrast."),
        ("Statistics", "Statistiques"),
        ("Multi-thematic", "Plusieurs priorités thématiques"),
    ], BUENOS_AIRES.name),
    *_items(PRIORITY, [
        ("Affordable connectivity", "Connectivité abordable"),
        ("Digital transformation", "Transformation numérique"),
        ("Enabling policy and regulatory environment",
         "Environnement politique et réglementaire propice",
         "Enabling policy & regulatory envir."),
        ("Resource mobilization and international cooperation",
         "Mobilisation des ressources et coopération internationale"),
        ("Inclusive and secure telecommunications/ICTs for sustainable development",
         "Télécommunications/TIC inclusives et sécurisées au service du développement durable",
         "Inclusive & secure telecom/ICTs for sustainable dev."),
        ("Multi-priorities", "Plusieurs priorités"),
    ], KIGALI.name),
]

DEFAULT_LISTS = ReferenceLists(DEFAULT_ITEMS, [BUENOS_AIRES, KIGALI, BAKU])


def lists_table_rows(lists: ReferenceLists = DEFAULT_LISTS) -> list[list[object]]:
    """The lists as rows of the workbook's ``Lists`` table (see ``LISTS_COLUMNS``)."""
    plans = {plan.name: plan for plan in lists.plans}
    rows: list[list[object]] = []
    for item in lists.items:
        plan = plans.get(item.plan)
        rows.append([
            item.kind, item.label, item.label_fr, "; ".join(item.aliases), item.plan,
            plan.valid_from if plan else None, plan.valid_to if plan else None,
        ])
    return rows
