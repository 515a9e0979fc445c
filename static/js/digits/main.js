// Entry point of the digits page (/digits): everything is built in app.js.

import { start } from "./app.js";

start();
