;;; test.el --- Emacs + eglot end-to-end test of `rlscope lsp'  -*- lexical-binding: t -*-
;; Run by tests/e2e/emacs/run.sh: emacs --batch -Q -l test.el
;; Env: RLSCOPE_BIN (the server binary), RLSCOPE_WS (a copy of examples/nextjs-supabase inside a git repository).
;; Debian's emacs-nox 28 + elpa-eglot 1.9, no other package (so no markdown-mode: eglot asks for plain-text hovers).

(let ((default-directory "/usr/share/emacs/site-lisp/elpa/"))
  (when (file-directory-p default-directory)
    (normal-top-level-add-subdirs-to-load-path)))
(require 'eglot)
(require 'flymake)
(require 'cl-lib)

(defvar rlscope-test-bin (getenv "RLSCOPE_BIN"))
(defvar rlscope-test-ws (file-name-as-directory (getenv "RLSCOPE_WS")))
(defvar rlscope-test-rule "session-method-on-service-client")
(defvar rlscope-test-checks 0)

(defun rlscope-test-say (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n")))

(defun rlscope-test-check (ok what &optional detail)
  (unless ok
    (error "%s%s" what (if detail (format ": %S" detail) "")))
  (setq rlscope-test-checks (1+ rlscope-test-checks))
  (rlscope-test-say "ok %d - %s" rlscope-test-checks what))

(defun rlscope-test-wait (seconds pred)
  "Process server output until PRED is non-nil or SECONDS pass; PRED's value."
  (let ((deadline (+ (float-time) seconds)) v)
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    v))

;; A TypeScript major mode named so that eglot sends languageId "typescript" (Emacs 28 has no TS mode).
(define-derived-mode typescript-mode js-mode "TypeScript")
(add-to-list 'auto-mode-alist '("\\.tsx?\\'" . typescript-mode))
(add-to-list 'eglot-server-programs `(typescript-mode . (,rlscope-test-bin "lsp")))
(setq eglot-sync-connect 10
      eglot-autoshutdown t
      eglot-events-buffer-size 0
      flymake-no-changes-timeout 0.2)

(defun rlscope-test-open (rel)
  "Visit REL in the workspace; start eglot for it the first time (eglot-ensure waits for the command loop,
which batch mode never runs)."
  (find-file (expand-file-name rel rlscope-test-ws))
  (unless (eglot-current-server)
    (apply #'eglot (eglot--guess-contact)))
  (rlscope-test-check (rlscope-test-wait 20 (lambda () (and (eglot-current-server) eglot--managed-mode)))
                      (format "%s: eglot manages the buffer (%s)" rel major-mode))
  (flymake-start)
  (current-buffer))

(defun rlscope-test-diags (&optional rule)
  (cl-remove-if-not (lambda (d) (or (null rule) (string-match-p (regexp-quote rule) (flymake-diagnostic-text d))))
                    (flymake-diagnostics)))

(defun rlscope-test-summary ()
  (mapcar (lambda (d) (format "%s %s: %s" (line-number-at-pos (flymake-diagnostic-beg d))
                              (flymake-diagnostic-type d) (flymake-diagnostic-text d)))
          (flymake-diagnostics)))

(defun rlscope-test-goto (needle &optional offset)
  (goto-char (point-min))
  (search-forward needle)
  (goto-char (+ (match-beginning 0) (or offset 0))))

(defun rlscope-test-hover ()
  "The text eglot shows for a hover at point (its eldoc rendering), and the raw contents."
  (let* ((server (eglot--current-server-or-lose))
         (r (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams))))
    (list (and r (eglot--hover-info (plist-get r :contents) (plist-get r :range)))
          (and r (plist-get r :contents)))))

(defun rlscope-test-main ()
  (rlscope-test-say "%s, eglot %s" (car (split-string (emacs-version) "\n"))
                    (or (ignore-errors (package-desc-version (cadr (assq 'eglot package-alist)))) "1.9"))
  ;; 1. login/route.ts: the finding comes through the '@/lib/supabase/admin' import (a tsconfig alias).
  (rlscope-test-open "app/api/login/route.ts")
  (rlscope-test-check (file-equal-p (project-root (eglot--project (eglot-current-server))) rlscope-test-ws)
                      "the eglot project is the workspace folder")
  (rlscope-test-check (rlscope-test-wait 30 (lambda () (rlscope-test-diags rlscope-test-rule)))
                      (concat "login/route.ts: Flymake shows " rlscope-test-rule) (rlscope-test-summary))
  (let* ((d (car (rlscope-test-diags rlscope-test-rule)))
         (beg (flymake-diagnostic-beg d)))
    (rlscope-test-check (eq (flymake-diagnostic-type d) 'eglot-error) "the diagnostic is an error"
                        (flymake-diagnostic-type d))
    (save-excursion
      (goto-char beg)
      (rlscope-test-check (and (= (line-number-at-pos) 7) (= (1+ (current-column)) 33)
                               (looking-at-p "supabaseAdmin\\.auth\\.signInWithPassword"))
                          (format "it starts at 7:33, on supabaseAdmin.auth.signInWithPassword (%d:%d)"
                                  (line-number-at-pos) (1+ (current-column))))))
  ;; 2. Hover on the client of the .from('profiles') query: its role, in plain text (eglot without markdown-mode
  ;;    offers only plaintext).
  (rlscope-test-goto "supabaseAdmin.from('profiles')" 3)
  (pcase-let ((`(,shown ,raw) (rlscope-test-hover)))
    (rlscope-test-check (equal (plist-get raw :kind) "plaintext") "hover: kind plaintext" raw)
    (rlscope-test-check (and shown (string-match-p "runs as \\(service_role\\|the signed-in user\\)" shown))
                        "hover on supabaseAdmin names the role it runs as" shown)
    (rlscope-test-check (not (string-match-p "\\*\\*\\|`" shown)) "the hover has no Markdown markup" shown)
    (rlscope-test-say "   hover: %s" (car (split-string shown "\n"))))
  ;; 3. signup/route.ts: auth.signUp on the service client is a warning; its code action rewrites the call to
  ;;    auth.admin.createUser, and the warning goes away.
  (rlscope-test-open "app/api/signup/route.ts")
  (rlscope-test-check (rlscope-test-wait 30 (lambda () (rlscope-test-diags rlscope-test-rule)))
                      "signup/route.ts: Flymake shows the signUp warning" (rlscope-test-summary))
  (rlscope-test-check (eq (flymake-diagnostic-type (car (rlscope-test-diags rlscope-test-rule))) 'eglot-warning)
                      "the diagnostic is a warning")
  (rlscope-test-goto "auth.signUp(" 5)
  (let* ((actions (eglot-code-actions (point) (point)))
         (titles (mapcar (lambda (a) (plist-get a :title)) actions))
         (fix (cl-find-if (lambda (a) (string-match-p "createUser" (plist-get a :title))) actions)))
    (rlscope-test-check fix "a code action offers auth.admin.createUser" titles)
    ;; eglot's own path for a chosen action (what M-x eglot-code-actions runs after the menu).
    (eglot--read-execute-code-action (list fix) (eglot--current-server-or-lose) (or (plist-get fix :kind) "quickfix")))
  (rlscope-test-check (save-excursion (goto-char (point-min)) (search-forward "auth.admin.createUser(" nil t))
                      "the code action rewrote the call to auth.admin.createUser" (buffer-string))
  (rlscope-test-check (save-excursion (goto-char (point-min)) (not (search-forward "auth.signUp(" nil t)))
                      "auth.signUp( is gone")
  ;; eglot sends the edit from an idle timer (eglot-send-changes-idle-time), and batch mode is never idle.
  (eglot--signal-textDocument/didChange)
  (flymake-start)
  (rlscope-test-check (rlscope-test-wait 20 (lambda () (null (rlscope-test-diags rlscope-test-rule))))
                      "the warning is gone after the fix" (rlscope-test-summary))
  ;; 4. Shut down as M-x eglot-shutdown does.
  (let ((proc (jsonrpc--process (eglot-current-server))))
    (eglot-shutdown (eglot-current-server))
    (rlscope-test-check (rlscope-test-wait 5 (lambda () (not (process-live-p proc))))
                        "eglot-shutdown: the server exited")))

(condition-case err
    (progn
      (rlscope-test-main)
      (rlscope-test-say "emacs e2e: %d checks passed" rlscope-test-checks)
      (kill-emacs 0))
  (error
   (rlscope-test-say "FAIL: %s" (error-message-string err))
   (kill-emacs 1)))
