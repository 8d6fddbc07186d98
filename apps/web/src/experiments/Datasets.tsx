import { useRef, useState } from "react";
import { api, describeError } from "../api/client.js";
import { baseName, brief, shortHash, uploadFormat } from "./format.js";
import { type DatasetDetail, uploadDataset, useExperiments } from "./state.js";

const NEW = "";

/** Datasets: the list, an upload (JSONL or CSV), and a preview of a version's first records. */
export function Datasets() {
  const datasets = useExperiments((s) => s.datasets);
  const file = useRef<HTMLInputElement>(null);
  const [name, setName] = useState("");
  // Upload as a new dataset, or as the next version of this one.
  const [target, setTarget] = useState(NEW);
  const [shown, setShown] = useState<DatasetDetail | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);

  const upload = async (f: File | undefined) => {
    if (!f) return;
    const format = uploadFormat(f.name);
    if (!format) {
      useExperiments.setState({ message: { kind: "error", text: `${f.name}: upload a .jsonl or .csv file` } });
      return;
    }
    const text = await f.text();
    const ok = await (target === NEW ? uploadDataset({ name: name.trim() || baseName(f.name), format, text }) : uploadDataset({ id: target, format, text }));
    if (file.current) file.current.value = "";
    if (ok) setName("");
    if (ok && shown && shown.id === target) void show(target);
  };
  const show = async (id: string, version?: number) => {
    try {
      setShown(await api.datasets.get.query({ id, ...(version ? { version } : {}), preview: 5 }));
      setPreviewError(null);
    } catch (err) {
      setPreviewError(describeError(err).message);
    }
  };

  return (
    <section className="page-card" aria-labelledby="ex-ds-title">
      <h2 id="ex-ds-title">Datasets</h2>
      <div className="ex-row">
        <label>
          Upload as
          <select value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value={NEW}>a new dataset</option>
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                a new version of {d.name}
              </option>
            ))}
          </select>
        </label>
        {target === NEW && (
          <label>
            Dataset name <input value={name} onChange={(e) => setName(e.target.value)} placeholder="from the file name" />
          </label>
        )}
        <label className="ex-file">
          Dataset file (.jsonl or .csv)
          <input ref={file} type="file" accept=".jsonl,.ndjson,.csv" onChange={(e) => void upload(e.target.files?.[0])} />
        </label>
      </div>
      {datasets.length === 0 ? (
        <p className="hint">
          No datasets yet. Each line of JSONL is a record ({"{"}"input": …, "expected": …{"}"}); CSV needs a header row.
        </p>
      ) : (
        <table className="ex-table" aria-label="Datasets">
          <thead>
            <tr>
              <th>Name</th>
              <th>Versions</th>
              <th>Records</th>
              <th>Hash</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {datasets.map((d) => (
              <tr key={d.id}>
                <td>{d.name}</td>
                <td>{d.version}</td>
                <td>{d.records}</td>
                <td>
                  <code title={d.hash}>{shortHash(d.hash)}</code>
                </td>
                <td>
                  <button type="button" className="small" onClick={() => void show(d.id)} aria-label={`Preview ${d.name}`}>
                    Preview
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {previewError && <p role="alert">{previewError}</p>}
      {shown && (
        <section className="ex-preview" aria-label={`Preview of ${shown.name}`}>
          <div className="ex-row">
            <strong>{shown.name}</strong>
            <label>
              Version{" "}
              <select value={shown.current.version} onChange={(e) => void show(shown.id, Number(e.target.value))} aria-label="Preview version">
                {shown.versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version} · {v.records} records · {shortHash(v.hash)}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="small" onClick={() => setShown(null)}>
              Close preview
            </button>
          </div>
          <table className="ex-table" aria-label="Dataset preview">
            <thead>
              <tr>
                <th>#</th>
                <th>Input</th>
                <th>Expected</th>
              </tr>
            </thead>
            <tbody>
              {shown.preview.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: records have no id but their position
                <tr key={i}>
                  <td>{i + 1}</td>
                  <td>
                    <code>{brief(r.input)}</code>
                  </td>
                  <td>
                    <code>{r.expected === undefined ? "—" : brief(r.expected)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
