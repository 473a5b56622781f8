// Correlated findings from the insight engine, each one plain sentence with its numbers.

export interface Finding {
  sentence?: string;
  text?: string;
  summary?: string;
  score?: number;
  from?: number;
  to?: number;
}

export interface FindingsReply {
  findings: Finding[];
}

export function FindingList({ findings }: { findings: Finding[] }) {
  return (
    <ol class="findings">
      {findings.map((f, i) => (
        <li key={i}>{f.sentence ?? f.text ?? f.summary ?? JSON.stringify(f)}</li>
      ))}
    </ol>
  );
}
