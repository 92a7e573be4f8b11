import { randomInt } from 'node:crypto';

// A readable handle like OpenCode's ("brave-forest"); not unique, not an ID.
const ADJECTIVES = [
  'brave',
  'calm',
  'clever',
  'crisp',
  'eager',
  'gentle',
  'golden',
  'happy',
  'jolly',
  'kind',
  'lucky',
  'mellow',
  'misty',
  'nimble',
  'proud',
  'quiet',
  'rapid',
  'shiny',
  'silent',
  'sunny',
  'swift',
  'tidy',
  'witty',
  'zesty',
];
const NOUNS = [
  'breeze',
  'canyon',
  'cedar',
  'comet',
  'creek',
  'dune',
  'falcon',
  'forest',
  'garden',
  'harbor',
  'island',
  'lagoon',
  'meadow',
  'moon',
  'orchid',
  'otter',
  'pine',
  'river',
  'rocket',
  'star',
  'tiger',
  'valley',
  'willow',
  'wolf',
];

/** A random `adjective-noun` slug. */
export function newSlug(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}`;
}
