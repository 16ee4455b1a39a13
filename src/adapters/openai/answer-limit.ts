import { ModelError } from '../../core/model/model-port.ts';
/** One answer of the model may stream at most this many characters (text and tool arguments). */
export const MAX_ANSWER_CHARS = 4_000_000;

/** Counts a streamed answer and stops it when it runs past the limit: an endless stream is a fault, not an answer. */
export function answerLimit(max = MAX_ANSWER_CHARS): { add(n: number): void } {
  let total = 0;
  return {
    add(n) {
      total += n;
      if (total > max)
        throw new ModelError(`the model's answer ran past ${max} characters without ending; it was stopped`);
    },
  };
}
