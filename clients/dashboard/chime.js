// The optional chime for a new level 4: off by default, allowed per browser
// with a button on the dashboard (a browser plays sound only after a gesture
// on the site). The wall honours the same setting; a kiosk browser started
// with an autoplay policy that needs no gesture chimes without one.

const KEY = 'opeld.chime';

/// Whether this browser has allowed the chime.
export const chimeAllowed = () => localStorage.getItem(KEY) === 'on';

/// Allows or stops the chime for this browser.
export function allowChime(on) {
  if (on) localStorage.setItem(KEY, 'on');
  else localStorage.removeItem(KEY);
}

let ctx = null;

/// Two falling tones, about a second; silent where the browser refuses sound.
export function playChime() {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') ctx.resume();
    const now = ctx.currentTime;
    [[880, 0], [660, 0.35]].forEach(([hz, at]) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, now + at);
      gain.gain.exponentialRampToValueAtTime(0.3, now + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.5);
      osc.connect(gain).connect(ctx.destination);
      osc.start(now + at);
      osc.stop(now + at + 0.55);
    });
  } catch {
    // No audio here: the title and the tile still say it.
  }
}
