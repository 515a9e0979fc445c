// Entry point of the playground page: start the app once the module loads (after parsing).
import { start } from "./app.js";

start();
