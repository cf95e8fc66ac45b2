/**
 * Where people write to Prep: the address its emails come from
 * (EMAIL_FROM, "Prep <hello@prep.example>"), so a reply and a new message
 * reach the same inbox, and pages name the one address emails already use.
 */

/**
 * The bare address of a From header: "Prep <hello@prep.example>" →
 * "hello@prep.example"; a bare address is returned as it is. Pure.
 */
export function supportAddress(from: string): string {
  const angled = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  return (angled ? angled[1] : from).trim();
}
