/* The club admin's sync: upload a workbook, edit the mapping, see the dry run, apply it. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, formatNumber } = AG;
  let upload = null;
  let preview = null;

  function show(value) {
    if (value === null || value === undefined || value === "") return "–";
    return String(value);
  }

  /* A section of the diff, folded when long; a list of ids is one paragraph. */
  function section(title, items, render) {
    if (!items.length) return null;
    const body = render ? el("ul", {}, items.map((item) => el("li", {}, render(item))))
      : el("p", {}, items.join(", "));
    return el("details", { class: "sync-section", open: items.length <= 20 },
      el("summary", {}, `${title} (${formatNumber(items.length)})`), body);
  }

  function fields(change) {
    return change.fields.map((f) => `${f.field}: ${show(f.old)} → ${show(f.new)}`).join("; ");
  }

  async function doUpload() {
    const file = $("sync-file").files[0];
    if (!file) return;
    const body = await file.arrayBuffer();
    const answer = await run(() => api("/admin/sync/uploads?filename=" + encodeURIComponent(file.name),
      { method: "POST", body: body }), t("sync_uploading"));
    if (!answer) return;
    upload = answer;
    $("sync-origin").textContent = t(answer.mapping_origin === "saved" ? "sync_mapping_saved" : "sync_mapping_recognised",
                                     { name: answer.source_name });
    $("sync-columns").replaceChildren(...answer.columns.map((line) => el("li", {}, line)));
    $("sync-mapping").value = answer.mapping;
    $("sync-mapping-step").hidden = false;
    $("sync-diff-step").hidden = true;
    $("sync-apply-step").hidden = true;
    status(t("sync_uploaded", { file: answer.filename }));
  }

  function options() {
    return { mapping: $("sync-mapping").value, deactivate_missing: $("sync-deactivate").checked };
  }

  async function doPreview() {
    if (!upload) return;
    const answer = await run(() => api(`/admin/sync/uploads/${upload.upload_id}/preview`,
      { method: "POST", json: options() }), t("sync_previewing"));
    if (!answer) return;
    preview = answer;
    $("sync-columns").replaceChildren(...answer.columns.map((line) => el("li", {}, line)));
    const labels = ["new", "changed", "unchanged", "missing", "deactivate", "reactivate", "bad", "conflicting", "erased"];
    $("sync-counts").tBodies[0].replaceChildren(...labels.map((k) => el("tr", {},
      el("th", { scope: "row" }, t("sync_count_" + k)), el("td", { class: "num", "data-count": k },
        formatNumber(answer.counts[k])))));
    $("sync-sections").replaceChildren(...[
      section(t("sync_count_new"), answer.new, (c) => `${c.member_id} (${c.where}): ${fields(c)}`),
      section(t("sync_count_changed"), answer.changed, (c) => `${c.member_id} (${c.where}): ${fields(c)}`),
      section(t("sync_kept"), answer.kept, (c) => `${c.member_id}: ` + c.kept.map((f) =>
        t("sync_kept_field", { field: f.field, theirs: show(f.old), source: show(f.new) })).join("; ")),
      section(t("sync_count_missing"), answer.missing),
      section(t("sync_count_deactivate"), answer.deactivate),
      section(t("sync_count_reactivate"), answer.reactivate),
      section(t("sync_skipped"), answer.skipped, (s) => `${s.where}: ${t("sync_count_" + s.kind)}: ${s.reason}`),
    ].filter(Boolean));
    $("sync-diff-step").hidden = false;
    $("sync-apply-step").hidden = true;
    $("sync-apply").disabled = false;
    status(t("sync_previewed"));
  }

  async function poll(jobId) {
    for (;;) {
      const job = await run(() => api(`/admin/sync/jobs/${jobId}`), t("sync_applying"));
      if (!job) return;
      $("sync-progress").max = job.total || 1;
      $("sync-progress").value = Math.min(job.done, job.total || 1);
      $("sync-progress-text").textContent = job.label ? t("sync_progress", {
        label: job.label, done: formatNumber(job.done), total: formatNumber(job.total) }) : "";
      if (job.state === "failed") {
        AG.problem(new Error(t("sync_failed", { error: job.error || "" })));
        return;
      }
      if (job.state === "done") {
        const r = job.result;
        $("sync-progress").value = $("sync-progress").max;
        $("sync-result").replaceChildren(...["created", "updated", "unchanged", "rejected", "kept_member_choice",
          "erased", "deactivated", "reactivated"].map((k) => [el("dt", {}, t("sync_result_" + k)),
          el("dd", { "data-result": k }, formatNumber(r[k]))]).flat());
        $("sync-errors").replaceChildren(...r.errors.map((line) => el("li", {}, line)));
        status(t("sync_done"));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  async function doApply() {
    if (!upload || !preview) return;
    $("sync-apply").disabled = true;
    const answer = await run(() => api(`/admin/sync/uploads/${upload.upload_id}/apply`, { method: "POST",
      json: { ...options(), fingerprint: preview.fingerprint, save_mapping: $("sync-save-mapping").checked } }),
      t("sync_applying"));
    if (!answer) {
      $("sync-apply").disabled = false;
      return;
    }
    $("sync-apply-step").hidden = false;
    await poll(answer.job_id);
  }

  $("sync-upload-form").addEventListener("submit", (e) => { e.preventDefault(); doUpload(); });
  $("sync-preview-form").addEventListener("submit", (e) => { e.preventDefault(); doPreview(); });
  $("sync-apply-form").addEventListener("submit", (e) => { e.preventDefault(); doApply(); });
});
