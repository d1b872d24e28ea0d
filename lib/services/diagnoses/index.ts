export * from "./get-diagnosis";
