// Entry point of the playground page: start the app once the module loads (after parsing),
// then the lesson panel and the hide-controls panel, which talk to it only through the hash.
import { start } from "./app.js";
import { HidePanel } from "./hide-panel.js";
import { LessonPanel } from "./lessons.js";

const opened = location.hash; // before the app rewrites it: a bare lesson link opens its step
start();
new LessonPanel(opened);
new HidePanel();
