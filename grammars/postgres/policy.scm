; The parts of CREATE POLICY / ALTER POLICY that the service-role-policy rule reads (server/sql).
; Grammar: tree-sitter-postgres 19.0.0-beta.4.1 (LANGUAGE, the SQL grammar). Each statement is parsed on
; its own, so every capture below belongs to the one policy statement of the tree.

(CreatePolicyStmt
  (name) @name
  (qualified_name) @table) @create

(AlterPolicyStmt
  (name) @name
  (qualified_name) @table) @alter

; AS PERMISSIVE | AS RESTRICTIVE
(RowSecurityDefaultPermissive
  [(identifier) (quoted_identifier)] @mode)

; TO role, role, …  (CREATE POLICY and ALTER POLICY)
(RowSecurityDefaultToRole
  (role_list) @roles)
(RowSecurityOptionalToRole
  (role_list) @roles)

; USING (…) and WITH CHECK (…)
(RowSecurityOptionalExpr
  (a_expr) @using)
(RowSecurityOptionalWithCheck
  (a_expr) @check)
