// Account Console: the only script. Copy buttons, suggestions for the add-member field, and a
// chosen metadata file read into its text area. Everything works without it: the add-member
// form takes a username as typed, and metadata can be pasted.
"use strict";
document.addEventListener("click", (event) => {
    const button = event.target.closest("button.copy");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(() => {
        const label = button.textContent;
        button.textContent = "Copied";
        setTimeout(() => { button.textContent = label; }, 1500);
    });
});
for (const input of document.querySelectorAll("input[data-candidates]")) {
    const list = document.getElementById(input.getAttribute("list"));
    let timer = null;
    input.addEventListener("input", () => {
        clearTimeout(timer);
        const query = input.value.trim();
        if (!list || query.length < 2) return;
        timer = setTimeout(async () => {
            const response = await fetch(`${input.dataset.candidates}?q=${encodeURIComponent(query)}`, { credentials: "same-origin" });
            if (!response.ok) return;
            const names = await response.json();
            list.replaceChildren(...names.map((name) => { const option = document.createElement("option"); option.value = name; return option; }));
        }, 200);
    });
}
for (const input of document.querySelectorAll("input[type=file][data-fills]")) {
    input.addEventListener("change", async () => {
        const target = document.getElementById(input.dataset.fills);
        const file = input.files && input.files[0];
        if (target && file && file.size <= 256 * 1024) target.value = await file.text();
    });
}
