// Upload progress on the payment files page (templates/payments/imports.html).
// Without JavaScript the form posts as usual; with it the file goes by
// XMLHttpRequest so the page can show how much has been sent, then that the whole
// file is being checked and posted. On success the browser goes to the import's
// totals page (where the server's redirect led); a refused file's page, with every
// bad line named, replaces the page's main content.
const form = document.querySelector("form[data-upload-progress]");
const box = document.getElementById("upload-progress");
const bar = document.getElementById("upload-progress-bar");
const status = document.getElementById("upload-progress-status");

function show(percent, text) {
  box.hidden = false;
  bar.value = percent;
  bar.textContent = `${percent}%`;
  status.textContent = text;
}

if (form && box && window.FormData && window.XMLHttpRequest) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", (progress) => {
      if (progress.lengthComputable) {
        const percent = Math.round((progress.loaded / progress.total) * 100);
        show(percent, `Uploading the file: ${percent}% sent`);
      }
    });
    request.upload.addEventListener("load", () => {
      show(100, "File sent. Checking every line and posting it…");
    });
    request.addEventListener("load", () => {
      if (request.status < 400 && request.responseURL !== window.location.href) {
        window.location.assign(request.responseURL);
        return;
      }
      const page = new DOMParser().parseFromString(request.responseText, "text/html");
      const main = page.querySelector("main");
      if (main) {
        document.querySelector("main").replaceWith(main);
        window.scrollTo(0, 0);
      } else {
        form.submit();
      }
    });
    request.addEventListener("error", () => {
      show(0, "The upload failed. Check your connection and try again.");
    });
    show(0, "Uploading the file…");
    request.send(new FormData(form));
  });
}
