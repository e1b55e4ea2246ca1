// Draws one crop (bytes 0-255, row-major, size x size) on a canvas: grey (or inverted grey for PET), the lesion mask's
// outline in magenta (a colour the map's scale never uses), and optionally a Grad-CAM map in a blue-to-red colour map whose alpha grows with the map's value.
// Returns the number of pixels the map coloured (value >= 20% of the range), for tests and readers.

/** Jet-like colour map: t in [0, 1] -> [r, g, b]. */
function jet(t) {
  const clamp = (x) => Math.max(0, Math.min(1, x));
  return [clamp(1.5 - Math.abs(4 * t - 3)), clamp(1.5 - Math.abs(4 * t - 2)), clamp(1.5 - Math.abs(4 * t - 1))].map((c) => Math.round(255 * c));
}

export function draw(canvas, size, image, mode, heat, opacity, mask) {
  for (const [name, a] of [['image', image], ['map', heat], ['mask', mask]]) {
    if (a && a.length !== size * size) throw new Error(`the ${name} has ${a.length} values for a ${size} x ${size} crop`);
  }
  const context = canvas.getContext('2d');
  const pixels = context.createImageData(size, size);
  const data = pixels.data;
  let coloured = 0;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const k = j * size + i;
      const grey = mode === 'inverted' ? 255 - image[k] : image[k];
      let r = grey, g = grey, b = grey;
      if (heat) {
        const t = heat[k] / 255;
        if (t >= 0.2) {
          coloured++;
          const [hr, hg, hb] = jet(t);
          const a = opacity * t;
          r = (1 - a) * r + a * hr;
          g = (1 - a) * g + a * hg;
          b = (1 - a) * b + a * hb;
        }
      }
      if (mask && mask[k] && (i === 0 || j === 0 || i === size - 1 || j === size - 1 ||
          !mask[k - 1] || !mask[k + 1] || !mask[k - size] || !mask[k + size])) {
        r = 255; g = 0; b = 255;
      }
      data[4 * k] = r;
      data[4 * k + 1] = g;
      data[4 * k + 2] = b;
      data[4 * k + 3] = 255;
    }
  }
  context.putImageData(pixels, 0, 0);
  return coloured;
}
