"""Draft sections 3 and 4 of the TDAG document from the report tables.

Section 3 covers the last full calendar year before the report year's window, section 4 the
window itself (the seed: 2022, then 1 January–30 April 2023), then the year-over-year
comparison and an annex listing the agreements of both periods. Every figure is read from the
report's tables (``Report.tables``) — nothing is recomputed here — and only rounded as the
seed rounds it; the annex lists the pipeline's accepted agreement rows. The sentences are the
templates of ``wording``.

The report year's window has breakdown rows (``ByPartnerType``… with Period ``Jan–Apr 2023``)
only in reports that carry them; without them section 4 keeps its totals (Summary,
Cofinancing) and leaves the breakdown sentences out, saying so in ``Document.notes``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bdt_xl import schema as s
from bdt_xl.core import agreement_frame as v
from bdt_xl.core.lists import MEMBERSHIP, NON_MEMBER, PARTNER_TYPE, PRIORITY, REGION
from bdt_xl.core.report import YEAR, Period, Report
from bdt_xl.document.model import (
    BAR,
    COLUMN,
    PIE,
    Chart,
    Document,
    Heading,
    Landscape,
    Paragraph,
    Series,
    Table,
)
from bdt_xl.document.wording import Wording, whole_percent

TOP_SHOWN = 3  # the seed's table lists the three largest funding partners
SECTOR_MEMBERS = ("SIO", "ROA")  # ITU-D Sector Members, grouped as the seed groups them


@dataclass(frozen=True)
class DocumentPeriods:
    year: Period | None  # the last full calendar year before the window
    window: Period | None  # the report year's window 1 January … Through
    previous_window: Period | None  # the same window a year earlier (year over year)


def document_periods(report: Report) -> DocumentPeriods:
    windows = report.windows
    window = windows[-1] if windows else None
    previous = windows[0] if len(windows) > 1 else None
    year = None
    if report.report_year is not None:
        year = next((p for p in report.years if p.label == str(report.report_year - 1)), None)
    return DocumentPeriods(year, window, previous)


def rows_of(report: Report, table: str, period: Period) -> pd.DataFrame:
    """The rows of ``period`` in a report table. A window that spans its whole calendar year
    (Through = 31 December) reads the year's rows when it has none of its own: same days,
    same figures."""
    frame = report.tables.get(table)
    if frame is None or frame.empty:
        return pd.DataFrame(columns=s.REPORT_COLUMNS.get(table, ()))
    rows = frame[frame[s.PERIOD] == period.label]
    if rows.empty and period.kind != YEAR:
        same = next((p for p in report.years
                     if (p.start, p.end) == (period.start, period.end)), None)
        if same is not None:
            rows = frame[frame[s.PERIOD] == same.label]
    return rows


class Drafter:
    """Writes the document of one report in one language."""

    def __init__(self, report: Report, agreements: pd.DataFrame, language: str,
                 source_name: str = "") -> None:
        self.report = report
        self.agreements = agreements
        self.w = Wording(language)
        self.doc = Document(self.w["title"], language)
        self.source_name = source_name

    # -- helpers ---------------------------------------------------------------------------
    def label(self, kind: str, text: str) -> str:
        """A list label as the reader sees it (the lists' French label in French)."""
        if self.w.t.get("list_labels") == "french":
            return self.report.french_label(kind, text)
        return text

    def when(self, period: Period) -> str:
        return self.w.when(period.start, period.end)

    def span(self, period: Period) -> str:
        return self.w.span(period.start, period.end)

    def summary(self, period: Period) -> pd.Series | None:
        rows = rows_of(self.report, s.SUMMARY, period)
        return rows.iloc[0] if not rows.empty else None

    # -- the document ----------------------------------------------------------------------
    def draft(self) -> Document:
        periods = document_periods(self.report)
        if self.source_name:
            self.doc.add(Paragraph(self.w.say("draft_note", workbook=self.source_name), "note"))
        numbers = self.w["section_numbers"]
        if periods.year is not None:
            self.doc.add(Heading(self.w.say("heading_year", year=periods.year.label),
                                 number=numbers[0]))
            self.section(periods.year)
        else:
            self.doc.notes.append("The data has no full calendar year before the report "
                                  "year; the document has no section for it.")
        if periods.window is not None:
            self.doc.add(Heading(self.w.say("heading_window", when=self.when(periods.window)),
                                 number=numbers[1]))
            self.section(periods.window)
            if periods.previous_window is not None:
                self.year_over_year(periods.previous_window, periods.window)
        self.annex([p for p in (periods.year, periods.window) if p is not None])
        return self.doc

    def section(self, period: Period) -> None:
        total = self.summary(period)
        when = self.when(period)
        if total is None or not total[s.AGREEMENTS_N]:
            self.doc.add(Paragraph(self.w.say("no_agreements", when=when)))
            return
        self.doc.add(Paragraph(self.w.say(
            "headline", when=when, agreements=int(total[s.AGREEMENTS_N]),
            financial=int(total[s.FINANCIAL_N]), funds=self.w.millions(total[s.FUNDS_USD]))))
        self.cofinancing(period)
        has_breakdowns = not rows_of(self.report, s.BY_PARTNER_TYPE, period).empty
        if period.kind != YEAR and not has_breakdowns:
            self.doc.add(Paragraph(self.w.say("partners_only", when=when,
                                              partners=int(total[s.PARTNERS_N]))))
            self.doc.notes.append(
                f"The report has no breakdowns for {period.label} (by partner type, "
                "membership, region, priority, top partners); that section gives its totals "
                "only.")
            return
        self.partner_types(period, int(total[s.PARTNERS_N]))
        self.memberships(period)
        self.top_partners(period)
        self.regions(period)
        self.priorities(period)

    def cofinancing(self, period: Period) -> None:
        rows = rows_of(self.report, s.COFINANCING, period)
        if rows.empty or not rows.iloc[0][s.FUNDS_USD] > 0:
            return
        row = rows.iloc[0]
        names = self.w["series"]
        self.doc.add(Paragraph(self.w.say(
            "cofinancing", when=self.when(period),
            partner=self.w.millions(row[s.PARTNER_USD]),
            partner_share=self.w.percent(row[s.PARTNER_SHARE]),
            itu=self.w.millions(row[s.ITU_USD]), itu_share=self.w.percent(row[s.ITU_SHARE]))))
        self.doc.add(Chart(
            PIE, self.caption("cofinancing", period),
            [names["itu_component"], names["partner_component"]],
            [Series(names["funds_signed"], [float(row[s.ITU_SHARE]),
                                            float(row[s.PARTNER_SHARE])])]))

    def caption(self, key: str, period: Period) -> str:
        return self.w["captions"][key].format(span=self.span(period))

    def partner_types(self, period: Period, partners: int) -> None:
        rows = rows_of(self.report, s.BY_PARTNER_TYPE, period)
        phrases = self.w["partner_types"]
        shares = [(row[s.PARTNER_TYPE], row[s.PARTNER_SHARE]) for _, row in rows.iterrows()]
        items = [self.w.say("share_item", share=self.w.percent(share),
                            phrase=phrases.get(label) or self.w.say(
                                "partner_type_fallback", label=self.label(PARTNER_TYPE,
                                                                         label).lower()))
                 for label, share in _descending(shares)]
        when = self.when(period)
        if items:
            self.doc.add(Paragraph(self.w.say("partners_with_types", when=when,
                                              partners=partners, types=self.w.join(items))))
        else:
            self.doc.add(Paragraph(self.w.say("partners_only", when=when, partners=partners)))
        funded = rows[rows[s.FUNDS_USD] > 0]
        if funded.empty:
            return
        self.doc.add(Paragraph(self.w["funds_by_type_intro"]))
        self.doc.add(Chart(
            PIE, self.caption("funds_by_type", period),
            [self.label(PARTNER_TYPE, label) for label in funded[s.PARTNER_TYPE]],
            [Series(self.w["series"]["funds_signed"],
                    funded[s.FUNDS_SHARE].astype(float).tolist())],
            number_format="0.0%"))

    def memberships(self, period: Period) -> None:
        rows = rows_of(self.report, s.BY_MEMBERSHIP, period)
        share = dict(zip(rows[s.MEMBERSHIP], rows[s.PARTNER_SHARE].astype(float), strict=True))
        phrases = self.w["memberships"]
        sector = [(name, share.get(name, 0.0)) for name in SECTOR_MEMBERS
                  if whole_percent(share.get(name, 0.0)) > 0]
        entries: list[tuple[str, float]] = [
            (label, value) for label, value in share.items()
            if label != NON_MEMBER and label not in SECTOR_MEMBERS]
        if sector:
            entries.append(("\0sector", sum(value for _, value in sector)))
        items = []
        for label, value in _descending(entries, {label: i for i, label in enumerate(
                self.report.french_labels.get(MEMBERSHIP, {}))}):
            if label == "\0sector":
                items.append(self.w.say("sector_members", share=self.w.percent(value),
                                        detail=self._sector_detail(sector)))
                continue
            phrase = phrases.get(label) or self.w.say(
                "membership_fallback", label=self.label(MEMBERSHIP, label))
            items.append(self.w.say("membership_item", share=self.w.percent(value),
                                    phrase=phrase))
        if items:
            self.doc.add(Paragraph(self.w.say("membership", shares=self.w.join(items))))

    def _sector_detail(self, sector: list[tuple[str, float]]) -> str:
        names = self.w["sector_member_names"]
        if len(sector) == 1:
            return names.get(sector[0][0], sector[0][0])
        parts = [self.w.say("sector_detail_item", share=self.w.percent(value),
                            name=names.get(label, label)) for label, value in _descending(sector)]
        return self.w.say("sector_detail_many", items=self.w.join(parts))

    def top_partners(self, period: Period) -> None:
        rows = rows_of(self.report, s.TOP_PARTNERS, period)
        rows = rows[rows[s.CONTRIBUTION_USD] > 0].sort_values(s.RANK).head(TOP_SHOWN)
        if rows.empty:
            return
        key = "top_intro_one" if len(rows) == 1 else "top_intro"
        self.doc.add(Paragraph(self.w.say(key, when=self.when(period),
                                          count=self.w.count(len(rows)))))
        body = [[str(row[s.PARTNER]), self.original_amounts(str(row[s.ORIGINAL_AMOUNTS]))]
                for _, row in rows.iterrows()]
        self.doc.add(Table(list(self.w["top_header"]), body, right_aligned=(1,),
                           widths=(11.5, 4.5)))

    def original_amounts(self, text: str) -> str:
        """``2,400,000 CHF; 1,000 EUR`` (the report's column) -> ``2,4 millions CHF + …``."""
        parts = []
        for piece in text.split(";"):
            number, _, currency = piece.strip().rpartition(" ")
            try:
                parts.append(self.w.millions(float(number.replace(",", "")), currency))
            except ValueError:
                parts.append(piece.strip())
        return " + ".join(parts)

    def _shares_chart(self, table: str, column: str, kind: str, caption: str,
                      period: Period, chart: str) -> None:
        rows = rows_of(self.report, table, period)
        if rows.empty:
            return
        names = self.w["series"]
        self.doc.add(Chart(
            chart, caption, [self.label(kind, label) for label in rows[column]],
            [Series(names["n_agreements"], rows[s.AGREEMENT_SHARE].astype(float).tolist()),
             Series(names["funds_signed"], rows[s.FUNDS_SHARE].astype(float).tolist())]))

    def regions(self, period: Period) -> None:
        if rows_of(self.report, s.BY_REGION, period).empty:
            return
        self.doc.add(Paragraph(self.w.say("region_intro", when=self.when(period))))
        self._shares_chart(s.BY_REGION, s.REGION, REGION, self.caption("region", period),
                           period, COLUMN)

    def priorities(self, period: Period) -> None:
        rows = rows_of(self.report, s.BY_PRIORITY, period)
        if rows.empty:
            return
        plans = list(dict.fromkeys(rows[s.ACTION_PLAN]))
        self.doc.add(Paragraph(self.w.say("priority_intro", when=self.when(period),
                                          plan=self.w.join([self.w.plan(p) for p in plans]))))
        self._shares_chart(s.BY_PRIORITY, s.PRIORITY, PRIORITY,
                           self.caption("priority", period), period, BAR)

    def year_over_year(self, previous: Period, current: Period) -> None:
        rows = self.report.tables.get(s.YEAR_OVER_YEAR)
        if rows is None:
            return
        before = rows[rows[s.PERIOD] == previous.label]
        now = rows[rows[s.PERIOD] == current.label]
        if before.empty or now.empty:
            return
        a, b = before.iloc[0], now.iloc[0]
        w = self.w
        self.doc.add(Paragraph(w.say(
            "yoy_intro", start=w.day(current.start), end=w.day(current.end),
            previous=previous.end.year, current=current.end.year)))
        self.doc.add(Paragraph(w.say(
            "yoy_figures", when=self.when(current), agreements=int(b[s.AGREEMENTS_N]),
            partners=int(b[s.PARTNERS_N]), funds=w.millions(b[s.FUNDS_USD]),
            prev_agreements=int(a[s.AGREEMENTS_N]), prev_partners=int(a[s.PARTNERS_N]),
            prev_funds=w.millions(a[s.FUNDS_USD]), previous=previous.end.year)))
        names = w["series"]
        span = w.say("comparison", start=w.day(current.start), end=w.day(current.end),
                     previous=previous.end.year, current=current.end.year)
        counts = (s.AGREEMENTS_N, s.FINANCIAL_N, s.PARTNERS_N)
        self.doc.add(Chart(
            COLUMN, w["captions"]["yoy_agreements"].format(span=span),
            [names["agreements"], names["financial"], names["partners"]],
            [Series(str(p.end.year), [float(r[c]) for c in counts])
             for p, r in ((previous, a), (current, b))], number_format="0"))
        money = (s.PARTNER_USD, s.ITU_USD, s.FUNDS_USD)
        self.doc.add(Chart(
            COLUMN, w["captions"]["yoy_funds"].format(span=span),
            [names["partners_component_short"], names["itu_short"], names["total"]],
            [Series(str(p.end.year), [float(r[c]) / 1e6 for c in money])
             for p, r in ((previous, a), (current, b))], number_format="0.0"))

    def annex(self, periods: list[Period]) -> None:
        if not periods:
            return
        w = self.w
        years = [p for p in periods if p.kind == YEAR]
        windows = [p for p in periods if p.kind != YEAR]
        self.doc.add(Landscape())
        self.doc.add(Heading(w.say("annex_title",
                                   year=self.when(years[0]) if years else "",
                                   window=self.when(windows[0]) if windows else "")))
        frame = self.agreements
        for period in periods:
            signed = frame[v.SIGNED].dt.date
            rows = frame[(signed >= period.start) & (signed <= period.end)]
            rows = rows.sort_values([v.SIGNED, v.ID], kind="stable")
            self.doc.add(Paragraph(w.say("annex_period", span=self.span(period),
                                         count=len(rows))))
            self.doc.add(Table(list(w["annex_header"]), [self._annex_row(r)
                                                         for _, r in rows.iterrows()],
                               right_aligned=(5, 6), font_size=8.0,
                               widths=(7.0, 3.6, 2.6, 4.2, 2.6, 3.0, 2.2)))

    def _annex_row(self, row: pd.Series) -> list[str]:
        w = self.w
        amount = float(row[v.PARTNER_AMT]) + float(row[v.ITU_AMT])
        original = w.amount(amount, str(row[v.CURRENCY])) if amount > 0 else "–"
        return [str(row[v.PARTNER]), self.label(PARTNER_TYPE, row[v.TYPE]),
                self.label(REGION, row[v.REGION]), self.label(PRIORITY, row[v.PRIORITY_COL]),
                w.full_date(row[v.SIGNED].date()), original,
                w.number(float(row[v.FUNDS])) if amount > 0 else "–"]


def _descending(items: list[tuple[str, float]], order: dict[str, int] | None = None
                ) -> list[tuple[str, float]]:
    """Largest share first (ties in list order); shares that round to 0 % are left out."""
    kept = [(label, share) for label, share in items if whole_percent(share) > 0]
    position = order or {label: i for i, (label, _) in enumerate(items)}
    return sorted(kept, key=lambda item: (-item[1], position.get(item[0], len(position))))


def draft_document(report: Report, agreements: pd.DataFrame, language: str,
                   source_name: str = "") -> Document:
    """The document model of ``report`` in ``language`` (a template's name: ``fr``, ``en``)."""
    return Drafter(report, agreements, language, source_name).draft()
