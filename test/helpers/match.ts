/**
 * Vitest's asymmetric matchers, typed `unknown`. Vitest types them `any`, and an
 * `any` inside an expected value of a typed subject (`expect(ack).toEqual({ id:
 * expect.any(String) })`) is what no-unsafe-assignment refuses; `unknown` says
 * what they are: placeholders for toEqual/toMatchObject, not values.
 */
import { expect } from 'vitest';

export const match = {
  any: (type: unknown): unknown => expect.any(type),
  arrayContaining: (items: unknown[]): unknown => expect.arrayContaining(items),
  objectContaining: (props: object): unknown => expect.objectContaining(props),
  stringMatching: (pattern: string | RegExp): unknown => expect.stringMatching(pattern),
};
