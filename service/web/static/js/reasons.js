/* Reasons as a person reads them, in the page's language.
 *
 * The API writes each reason's `detail` in English, from a fixed set of shapes per `kind`
 * (see graph/algorithms/suggestions.py and mentoring.py). The kind gives the heading and
 * the names (people, programmes, employers, skills) are lifted out of the English shape;
 * in Slovenian a detail of an unknown shape keeps only the heading, never half English.
 */
"use strict";

(function () {
  const { t, plural, LANG } = AG;

  function names(text) {
    // "A, B and C and 2 more" → {items: [A, B, C], more: 2}
    let more = 0;
    const m = text.match(/^(.*) and (\d+) more$/);
    if (m) {
      text = m[1];
      more = Number(m[2]);
    }
    const items = text.split(/, | and /).filter(Boolean);
    return { items, more };
  }
  function list(text) {
    const { items, more } = names(text);
    const joined = items.length > 1
      ? items.slice(0, -1).join(", ") + " " + t("and") + " " + items[items.length - 1] : items[0] || "";
    return more ? joined + " " + t("and_more", { n: more }) : joined;
  }

  const PATTERNS = {
    mutual_connections: [
      // the names are listed with the suggestion ("You both know"), so the count is enough
      [/^(\d+) mutual connections?(?:: (.*))?$/, (m) => AG.formatNumber(Number(m[1]))],
    ],
    close_in_network: [
      [/^you already know each other$/, () => t("r_already_acquainted")],
      [/^(\d+) mutual connections? who can introduce you(?:: (.*))?$/, (m) =>
        plural("mutual_introducers", Number(m[1])) + (m[2] ? ": " + m[2] : "")],
    ],
    same_cohort: [[/^both in (.*)$/, (m) => list(m[1])]],
    same_program: [
      [/^both studied (.*)$/, (m) => list(m[1])],
      [/^also studied (.*?)(?: \(class of (\d{4})\))?$/, (m) =>
        list(m[1]) + (m[2] ? " (" + t("r_class_of", { year: m[2] }) + ")" : "")],
    ],
    same_employer: [[/^(.*)$/, (m) => m[1].split("; ").map((part) => {
      let x = part.match(/^both worked at (.*), at different times$/);
      if (x) return t("r_employer_different_times", { employer: x[1] });
      x = part.match(/^both at (.*?) (\d{4}(?:–\d{4})?)$/);
      if (x) return x[1] + " (" + x[2] + ")";
      x = part.match(/^both at (.*)$/);
      return x ? x[1] : null;
    }).filter(Boolean).join("; ") || null]],
    same_industry: [
      [/^both work in (.*)$/, (m) => list(m[1])],
      [/^works in (.*), like you$/, (m) => list(m[1])],
    ],
    shared_skills: [
      [/^both know (.*?)( — rare in this club)?$/, (m) => list(m[1]) + (m[2] ? " — " + t("r_rare") : "")],
      [/^knows (.*)$/, (m) => list(m[1])],
    ],
    shared_interests: [[/^both interested in (.*)$/, (m) => list(m[1])]],
    same_events: [[/^both attended (.*)$/, (m) => list(m[1])]],
    same_city: [[/^(?:both|also) in (.*)$/, (m) => m[1]]],
    has_skills_you_want: [
      [/^knows (.*), which you want to learn$/, (m) => list(m[1])],
      [/^knows (.*?) — (\d+) of the (\d+) skills you want to learn$/, (m) =>
        list(m[1]) + " — " + t("r_skills_covered", { k: m[2], n: m[3] })],
      [/^knows (.*)$/, (m) => list(m[1])],
    ],
    more_senior: [
      [/^graduated (\d+) years before you$/, (m) => plural("r_graduated_before", Number(m[1]))],
      [/^(\d+) more years at work$/, (m) => plural("r_more_years", Number(m[1]))],
      [/^further along in their career$/, () => null],
    ],
    open_to_mentor: [[/^open to mentoring$/, () => null]],
    reachable: [
      [/^you know them \(strength ([\d.]+)\)$/, (m) => t("r_you_know_them", { s: m[1] })],
      [/^(\d+) hops, via (.*) \(strength ([\d.]+)\)$/, (m) =>
        t("r_hops_via", { hops: m[1], via: m[2], s: m[3] })],
    ],
  };

  /* {label, text}: the kind's name and what it is about, in the page's language (text may
   * be ""). English goes through the same shapes, so that the label is not said twice
   * ("Same programme: Computer Science", not "Same programme: both studied Computer Science"). */
  function reason(r) {
    const name = t("reason_" + r.kind);
    const label = name.startsWith("??") ? r.kind.replace(/_/g, " ") : name;
    if (!r.detail) return { label, text: "" };
    for (const [pattern, render] of PATTERNS[r.kind] || []) {
      const m = r.detail.match(pattern);
      if (m) return { label, text: render(m) || "" };
    }
    return { label, text: LANG === "en" ? r.detail : "" };
  }

  /* A list of reasons as <ul class="reasons">, each "Label: text". */
  function reasonList(reasons, limit) {
    const shown = limit ? reasons.slice(0, limit) : reasons;
    return AG.el("ul", { class: "reasons" }, shown.map((r) => {
      const { label, text } = reason(r);
      return AG.el("li", {}, AG.el("span", { class: "reason-kind" }, label), text ? " " + text : "");
    }));
  }

  AG.reason = reason;
  AG.reasonList = reasonList;
})();
