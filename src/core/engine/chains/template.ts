/**
 * Chain placeholders: `{{args.X}}`, `{{previous_output}}`, `{{steps.NAME.output}}` and, in a
 * recovery prompt, `{{error}}`. Spaces inside the braces are allowed. Anything else between
 * double braces is refused when the chain is read, not left in the prompt to puzzle the agent.
 */
export type Placeholder =
  | { kind: 'arg'; name: string; raw: string }
  | { kind: 'previous_output'; raw: string }
  | { kind: 'step_output'; step: string; raw: string }
  | { kind: 'error'; raw: string }
  | { kind: 'unknown'; raw: string };

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

function classify(inner: string, raw: string): Placeholder {
  let match: RegExpMatchArray | null;
  if ((match = inner.match(/^args\.([A-Za-z_][\w-]*)$/))) return { kind: 'arg', name: match[1], raw };
  if (inner === 'previous_output') return { kind: 'previous_output', raw };
  if ((match = inner.match(/^steps\.([A-Za-z0-9_-]+)\.output$/))) return { kind: 'step_output', step: match[1], raw };
  if (inner === 'error') return { kind: 'error', raw };
  return { kind: 'unknown', raw };
}

export function placeholdersIn(text: string): Placeholder[] {
  return [...text.matchAll(PLACEHOLDER)].map((match) => classify(match[1], match[0]));
}

export interface TemplateValues {
  args: Record<string, string>;
  previousOutput: string;
  stepOutputs: Record<string, string>;
  error?: string;
}

/** Fills the placeholders; one pass, so a value that itself contains `{{...}}` is left as text. */
export function renderTemplate(text: string, values: TemplateValues): string {
  return text.replace(PLACEHOLDER, (raw, inner: string) => {
    const placeholder = classify(inner, raw);
    switch (placeholder.kind) {
      case 'arg':
        return values.args[placeholder.name] ?? '';
      case 'previous_output':
        return values.previousOutput;
      case 'step_output':
        return values.stepOutputs[placeholder.step] ?? '';
      case 'error':
        return values.error ?? '';
      case 'unknown':
        return raw;
    }
  });
}
