/* The public verifier page (/verify), made better where the browser can; it works without this.

   - "Scan with camera": the rear camera is read into a canvas a few times a second and decoded in
     the browser by the vendored zxing-wasm reader. When a QR code is read the camera is stopped,
     its text is put in the paste field and the form is sent to this server, which gives the
     verdict. The picture never leaves the device; the text goes to our own origin only.
   - A chosen picture is decoded in the browser too: when it holds exactly one QR code only its text
     is sent; otherwise the picture is sent as without JavaScript and the server reads it.

   The wasm binary is loaded from /static (never the CDN the library defaults to), and the page's
   Content-Security-Policy allows no other origin. Every message is the server's text in the
   page's language, taken from the data-* attributes of #scan, and told in a live region. */
(() => {
  "use strict";

  const form = document.getElementById("verify-form");
  const scan = document.getElementById("scan");
  const zxing = window.ZXingWASM;
  if (!form || !scan || !zxing || typeof WebAssembly !== "object") return;

  const startButton = document.getElementById("scan-start");
  const stopButton = document.getElementById("scan-stop");
  const view = document.getElementById("scan-view");
  const video = document.getElementById("scan-video");
  const status = document.getElementById("scan-status");
  const image = document.getElementById("image");
  const text = document.getElementById("text");
  const messages = scan.dataset;
  const wasmUrl = new URL(messages.wasm, window.location.href).href;
  const overrides = {
    locateFile: (path, prefix) => (path.endsWith(".wasm") ? wasmUrl : prefix + path),
  };
  const everyFrame = 250; // ms between reads: four a second is quick and leaves the CPU idle
  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  zxing.prepareZXingModule({ overrides });

  let stream = null;
  let timer = 0;
  let canvas = null;
  let busy = false;

  const say = (message) => {
    status.textContent = message;
  };

  const cameraExists =
    navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === "function";
  if (cameraExists) scan.hidden = false;

  function stopCamera() {
    window.clearTimeout(timer);
    timer = 0;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    view.classList.remove("scanning");
    view.hidden = true;
    startButton.hidden = false;
  }

  async function startCamera() {
    startButton.hidden = true;
    view.hidden = false;
    stopButton.focus();
    say(messages.starting);
    try {
      const ready = zxing.prepareZXingModule({ overrides, fireImmediately: true });
      ready.catch(() => undefined); // reported below, once the camera question is settled
      const opened = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 } },
      });
      if (view.hidden) {
        // stopped while the camera was opening
        opened.getTracks().forEach((track) => track.stop());
        return;
      }
      stream = opened;
      video.srcObject = stream;
      await video.play();
      await ready;
    } catch (error) {
      if (view.hidden) return; // stopped by the reader while the camera was opening
      const refused = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
      stopCamera();
      say(refused ? messages.denied : messages.unavailable);
      startButton.focus();
      return;
    }
    if (!stream) return;
    view.classList.add("scanning");
    view.scrollIntoView({ block: "nearest", behavior: reduceMotion.matches ? "auto" : "smooth" });
    say(messages.point);
    timer = window.setTimeout(readFrame, everyFrame);
  }

  async function readFrame() {
    if (!stream || busy) return;
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (width && height) {
      const scale = Math.min(1, 1280 / Math.max(width, height));
      canvas = canvas || document.createElement("canvas");
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      const context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const frame = context.getImageData(0, 0, canvas.width, canvas.height);
      busy = true;
      let found = null;
      try {
        const results = await zxing.readBarcodes(frame, {
          formats: ["QRCode"],
          tryHarder: true,
          maxNumberOfSymbols: 1,
        });
        found = results.find((result) => result.isValid && result.text) || null;
      } catch (error) {
        found = null; // a frame that cannot be read is simply skipped
      }
      busy = false;
      if (found && stream) {
        send(found.text);
        return;
      }
    }
    if (stream) timer = window.setTimeout(readFrame, everyFrame);
  }

  function send(code) {
    stopCamera();
    say(messages.read);
    text.value = code;
    if (image) image.value = "";
    startButton.focus();
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  }

  startButton.addEventListener("click", () => {
    if (!stream && view.hidden) startCamera();
  });
  stopButton.addEventListener("click", () => {
    stopCamera();
    say(messages.stopped);
    startButton.focus();
  });
  view.addEventListener("keydown", (event) => {
    if (event.key === "Escape") stopButton.click();
  });
  // The camera is never left on behind the reader's back.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && !view.hidden) {
      stopCamera();
      say(messages.stopped);
    }
  });
  window.addEventListener("pagehide", stopCamera);

  // A chosen picture: decode it here, send only the text when it holds exactly one code.
  let decoded = false;
  window.addEventListener("pageshow", () => {
    decoded = false;
  });
  form.addEventListener("submit", (event) => {
    const file = image && image.files && image.files[0];
    if (!file || decoded) return;
    event.preventDefault();
    decoded = true;
    zxing
      .readBarcodes(file, { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 255 })
      .then(
        (results) => {
          const codes = results.filter((result) => result.isValid && result.text);
          if (codes.length === 1) {
            text.value = codes[0].text;
            image.value = "";
          }
        },
        () => undefined, // the server reads the picture instead
      )
      .then(() => form.submit());
  });
})();
