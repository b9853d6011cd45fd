-- one database per service: no service reads another's tables
CREATE DATABASE roster;
CREATE DATABASE subsidy;
CREATE DATABASE gateway;
