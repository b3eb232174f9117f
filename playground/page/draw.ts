/**
 * The drawing pad: a square canvas drawn on with pointer events (mouse,
 * touch and pen alike) or the keyboard (arrow keys move the pen and draw,
 * with Shift they move it without drawing). `onChange` runs after each
 * stroke segment with the ink as 0..1 values, row-major.
 */
export class DrawingPad {
  private readonly ctx: CanvasRenderingContext2D;
  private last: { x: number; y: number } | null = null;
  private pen = { x: 0.5, y: 0.3 };

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onChange: (ink: Float64Array, width: number, height: number) => void,
  ) {
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.last = this.point(e);
      this.stroke(this.last, this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (this.last === null) return;
      const p = this.point(e);
      this.stroke(this.last, p);
      this.last = p;
    });
    const end = (): void => {
      this.last = null;
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('keydown', (e) => this.key(e));
    this.clear();
  }

  /** Empties the canvas (without calling onChange). */
  clear(): void {
    this.ctx.fillStyle = '#fff';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** Shows a grey image (side x side, 0 paper to 1 ink) on the whole canvas, so drawing can go on over it. */
  show(image: ArrayLike<number>, side: number): void {
    const small = document.createElement('canvas');
    small.width = small.height = side;
    const pixels = small.getContext('2d')!.createImageData(side, side);
    for (let i = 0; i < side * side; i++) pixels.data.fill(255 - Math.round(255 * image[i]), 4 * i, 4 * i + 3).fill(255, 4 * i + 3, 4 * i + 4);
    small.getContext('2d')!.putImageData(pixels, 0, 0);
    this.ctx.imageSmoothingEnabled = false;
    this.ctx.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);
  }

  /** The pointer's position in canvas pixels (the canvas may be shown smaller or larger). */
  private point(e: PointerEvent): { x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - box.left) * this.canvas.width) / box.width, y: ((e.clientY - box.top) * this.canvas.height) / box.height };
  }

  private stroke(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const ctx = this.ctx;
    ctx.strokeStyle = '#000';
    ctx.lineWidth = this.canvas.width / 12;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    const { width, height } = this.canvas;
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const ink = new Float64Array(width * height);
    for (let i = 0; i < ink.length; i++) ink[i] = 1 - rgba[4 * i] / 255;
    this.onChange(ink, width, height);
  }

  private key(e: KeyboardEvent): void {
    const steps: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const step = steps[e.key];
    if (step === undefined) return;
    e.preventDefault();
    const from = { x: this.pen.x * this.canvas.width, y: this.pen.y * this.canvas.height };
    this.pen = { x: Math.min(0.9, Math.max(0.1, this.pen.x + step[0] / 20)), y: Math.min(0.9, Math.max(0.1, this.pen.y + step[1] / 20)) };
    const to = { x: this.pen.x * this.canvas.width, y: this.pen.y * this.canvas.height };
    if (!e.shiftKey) this.stroke(from, to);
  }
}
